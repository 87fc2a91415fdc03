"""SPARQL 1.1 Protocol, Graph Store Protocol, Service Description, content negotiation, admin routes."""
