"""The GPT document (`gptstudio/gpt@1`): one portable form of a GPT with its actions.

Revisions store it, exports render it, imports read it, diffs compare it. Key order is fixed
(dicts are built in document order), so the same GPT always gives the same document and the same
bytes (`render.render_document`). Secrets are never in it: the authentication block carries
`SECRET_PLACEHOLDER` where ChatGPT wants a secret.

Three modules, one concern each: `build` (a GPT model → its document, and what changed between two
documents), `render` (a document → deterministic YAML or JSON text) and `read` (text → a
document with findings: parsing and checking). Nothing is re-exported here; import from the module.

Reading goes through `read.parse_document(text)`, which never raises for bad input: it returns the
document (or None) with findings for whatever does not match the published JSON Schema
(gpts/schemas/gpt-document-1.schema.json). Turning a document into a GPT is
`gpts.importers.gpt_apply_document`.

The text is read by the schema engine's loader (`actions.schema.parse_schema`), so documents and
OpenAPI schemas have one data model: what JSON can say (YAML timestamps stay text, keys are text,
binary/set/application tags are refused). Before that, a cheap pass over the text caps the number
of values, so a document of millions of tiny values is refused before anything is built.
"""
