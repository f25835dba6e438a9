"""Fault tests: real processes and real connections cut (fixture `proxied_broker`)."""
