"""Example provisions (allow, deny, escalate, an approval) and gate payloads, shipped as package data:
the HTTP service shows one in its API description."""
