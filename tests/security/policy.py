"""Who may do what: the authorization policy the security tests hold the services to.

Derived from the README (each service's "who" paragraph and route tables) and the services'
role dependencies. Admins pass every role check (`shared.http.auth.require_roles`).
"""

from __future__ import annotations

ROLES = ("sco", "vetter", "funding_officer", "catalog_manager", "auditor", "admin")

CATALOG_MANAGERS = frozenset({"catalog_manager", "admin"})
SCOS = frozenset({"sco", "admin"})
ADMINS = frozenset({"admin"})
VETTERS = frozenset({"vetter", "admin"})
FUNDING_OFFICERS = frozenset({"funding_officer", "admin"})

C = "/api/v1/catalog"
N = "/api/v1/nominations"
V = "/api/v1/vetting"
F = "/api/v1/funding"
OPS = "/api/v1/ops"  # the gateway's own admin routes (dead letters, ADR 0106)
R = "/api/v1/reports"

# Every state-changing route of the API -> the roles that may call it. Every other role gets
# 403. The walk asserts this table covers exactly the non-GET routes of the spec.
WRITERS: dict[str, frozenset[str]] = {
    # catalog: "catalog_manager (or admin) changes it"
    f"POST {C}/institutions": CATALOG_MANAGERS,
    f"PATCH {C}/institutions/{{institution_id}}": CATALOG_MANAGERS,
    f"DELETE {C}/institutions/{{institution_id}}": CATALOG_MANAGERS,
    f"POST {C}/courses": CATALOG_MANAGERS,
    f"PATCH {C}/courses/{{masl_id}}": CATALOG_MANAGERS,
    f"DELETE {C}/courses/{{masl_id}}": CATALOG_MANAGERS,
    f"POST {C}/classes": CATALOG_MANAGERS,
    f"PATCH {C}/classes/{{class_id}}": CATALOG_MANAGERS,
    f"POST {C}/classes/{{class_id}}/cancel": CATALOG_MANAGERS,
    # nominations: what an SCO does (its own country); admins cancel and keep countries
    f"POST {N}/candidates": SCOS,
    f"PATCH {N}/candidates/{{candidate_id}}": SCOS,
    f"PUT {N}/countries/{{iso3}}": ADMINS,
    f"POST {N}/imports": SCOS,
    f"POST {N}": SCOS,
    f"PATCH {N}/{{nomination_id}}": SCOS,
    f"POST {N}/{{nomination_id}}/submit": SCOS,
    f"POST {N}/{{nomination_id}}/withdraw": SCOS,
    f"POST {N}/{{nomination_id}}/cancel": ADMINS,
    f"POST {N}/{{nomination_id}}/retry-funding": SCOS | {"funding_officer"},
    f"POST {N}/{{nomination_id}}/start-training": SCOS,
    f"POST {N}/{{nomination_id}}/complete": SCOS,
    f"POST {N}/{{nomination_id}}/terminate": SCOS,
    f"POST {N}/{{nomination_id}}/ito": SCOS,
    # vetting: "vetter and admin decide and keep the registry"
    f"POST {V}/cases/{{case_id}}/decisions": VETTERS,
    f"POST {V}/cases/{{case_id}}/decisions/{{decision_id}}/confirmation": VETTERS,
    f"POST {V}/registry": VETTERS,
    f"POST {V}/registry/{{entry_id}}/remediation": VETTERS,
    f"POST {V}/registry/{{entry_id}}/subunits": VETTERS,
    # units' registry identity: vetters, and the SCO of the unit's country (issue 11)
    f"POST {V}/units": VETTERS | {"sco"},
    # funding: "funding_officer (and admin) change"
    f"PUT {F}/appropriations/{{fiscal_year}}": FUNDING_OFFICERS,
    f"POST {F}/appropriations/{{fiscal_year}}/advance-availability": FUNDING_OFFICERS,
    f"POST {F}/allocations": FUNDING_OFFICERS,
    f"PATCH {F}/allocations/{{allocation_id}}": FUNDING_OFFICERS,
    f"PATCH {F}/reference/tla-rates/{{rate_id}}": FUNDING_OFFICERS,
    f"PUT {F}/reference/travel-costs/{{country}}": FUNDING_OFFICERS,
    f"POST {F}/reference/penalty-rules": FUNDING_OFFICERS,
    f"PUT {F}/reference/penalty-rules/{{code}}": FUNDING_OFFICERS,
    f"PATCH {F}/reference/parameters/{{name}}": FUNDING_OFFICERS,
    # country programs (ADR 0115): SCOs draft their own country's, funding officers approve
    f"POST {F}/programs": SCOS | {"funding_officer"},
    f"POST {F}/programs/{{program_id}}/lines": SCOS | {"funding_officer"},
    f"PATCH {F}/programs/{{program_id}}/lines/{{line_id}}": SCOS | {"funding_officer"},
    f"POST {F}/programs/{{program_id}}/approve": FUNDING_OFFICERS,
    f"POST {F}/requests/{{request_id}}/program-exception": FUNDING_OFFICERS,
    f"POST {F}/year-end-runs": FUNDING_OFFICERS,
    # the gateway's dead letters: "admin role only" (ADR 0106)
    f"POST {OPS}/dlq/replay": ADMINS,
    # reporting: administrators keep the reports' country reference data
    f"PUT {R}/countries/{{code}}": ADMINS,
}

# Non-GET routes that change nothing (documented as such), with the reason.
READ_ONLY_NON_GET: dict[str, str] = {
    f"POST {F}/estimates": (
        "a dry-run cost estimate ('changing nothing', README/route doc); funding officers, "
        "auditors and the SCO of the country may ask"
    ),
}

# Reads an SCO may not use at all (403 whatever the object).
SCO_FORBIDDEN_READS = frozenset(
    {
        f"GET {C}/classes/{{class_id}}/seats",  # catalog managers, auditors, admins
        f"GET {V}/cases/{{case_id}}/decisions/{{decision_id}}",  # vetters and auditors
        f"GET {V}/registry/{{entry_id}}",  # "an SCO has no access to the registry"
        f"GET {F}/appropriations/{{fiscal_year}}",  # budget data, not country data
        f"GET {OPS}/dlq",  # dead letters: admins only
        f"GET {OPS}/dlq/{{dlq_id}}",
    }
)

# `{...}` routes whose object is NOT country-scoped (so an SCO of another country is not
# refused for being of another country), with the reason. Their writes are still refused to an
# SCO by role (WRITERS); their reads are answered like to anyone allowed to read.
NOT_COUNTRY_SCOPED: dict[str, str] = {
    **{
        f"{m} {C}/institutions/{{institution_id}}": "schoolhouses: public reference data"
        for m in ("GET", "PATCH", "DELETE")
    },
    **{
        f"{m} {C}/courses/{{masl_id}}": "courses: public reference data (everyone reads)"
        for m in ("GET", "PATCH", "DELETE")
    },
    f"PUT {R}/countries/{{code}}": (
        "the reports' country reference data (regions, FMTR exclusions): only admins change it"
    ),
    f"GET {C}/classes/{{class_id}}": "a class offering: public reference data (everyone reads)",
    f"PATCH {C}/classes/{{class_id}}": "a class offering: catalog reference data",
    f"POST {C}/classes/{{class_id}}/cancel": "a class offering: catalog reference data",
    f"GET {OPS}/dlq/{{dlq_id}}": "a dead letter: operations data of no country (admins only)",
    f"GET {C}/classes/{{class_id}}/seats": "seats of a class of all countries (SCO: 403)",
    **{
        f"{m} {N}/countries/{{iso3}}{tail}": (
            "country reference data (sanctions flag, ECL exemptions): program-wide, every "
            "reader sees it; only admins change it"
        )
        for m, tail in (("GET", ""), ("PUT", ""), ("GET", "/revisions"))
    },
    **{
        f"{m} {F}/appropriations/{{fiscal_year}}": (
            "Congress's appropriation of a fiscal year: budget data of no country (SCO: 403)"
        )
        for m in ("GET", "PUT")
    },
    f"POST {F}/appropriations/{{fiscal_year}}/advance-availability": (
        "when a fiscal year's funds may first be obligated: budget data of no country (SCO: 403)"
    ),
    **{
        f"{m} {F}/reference/{what}": "funding reference data: everyone signed in reads it"
        for m, what in (
            ("GET", "tla-rates/{rate_id}"),
            ("PATCH", "tla-rates/{rate_id}"),
            ("GET", "travel-costs/{country}"),
            ("PUT", "travel-costs/{country}"),
            ("GET", "penalty-rules/{code}"),
            ("PUT", "penalty-rules/{code}"),
            ("GET", "parameters/{name}"),
            ("PATCH", "parameters/{name}"),
        )
    },
}


def sco_may_call(route_key: str) -> bool:
    """Whether the route is open to an SCO at all (its own country's objects)."""
    method = route_key.split(" ", 1)[0]
    if method == "GET" or route_key in READ_ONLY_NON_GET:
        return route_key not in SCO_FORBIDDEN_READS
    return "sco" in WRITERS[route_key]
