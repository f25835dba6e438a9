"""Refusals of the catalog's business rules, each with a stable problem `code`."""

from __future__ import annotations

from shared.errors import Conflict, DomainError, NotFound


class InvalidMaslNumber(DomainError):
    code = "invalid-masl-number"
    title = "Invalid MASL number"


class InvalidCourse(DomainError):
    code = "invalid-course"
    title = "Course facts are inconsistent"


class InvalidClassSchedule(DomainError):
    code = "invalid-class-schedule"
    title = "Class dates are inconsistent"


class InvalidCapacity(DomainError):
    code = "invalid-capacity"
    title = "Class capacity outside the course's class size"


class UnknownInstitution(DomainError):
    code = "unknown-institution"
    title = "The institution does not exist"


class UnknownCourse(DomainError):
    code = "unknown-course"
    title = "The course does not exist"


class InstitutionNotFound(NotFound):
    code = "institution-not-found"
    title = "Institution not found"


class CourseNotFound(NotFound):
    code = "course-not-found"
    title = "Course not found"


class ClassNotFound(NotFound):
    code = "class-not-found"
    title = "Class not found"


class InstitutionExists(Conflict):
    code = "institution-exists"
    title = "An institution with this name exists"


class CourseExists(Conflict):
    code = "course-exists"
    title = "A course with this MASL number exists"


class InstitutionInUse(Conflict):
    code = "institution-in-use"
    title = "The institution still has courses"


class CourseInactive(Conflict):
    code = "course-inactive"
    title = "The course is no longer offered"


class ClassCancelled(Conflict):
    code = "class-cancelled"
    title = "The class is cancelled"


class CapacityBelowOccupiedSeats(Conflict):
    code = "capacity-below-occupied-seats"
    title = "Capacity lower than the seats already held or confirmed"
