"""Tools for policy staff (docs/policy-tools.md): YAML rule tests and their coverage (`ruletests`),
the impact of a rule change on past provisions (`impact`), invariants searched for counterexamples
(`invariants`) and the hypothesis strategies that generate provisions for them (`strategies`).
Builds on the decision core; the core never imports it."""
