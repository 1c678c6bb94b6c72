"""Raw articles -> dated, tagged, de-duplicated draft entries (`sitegen ingest`).

A package apart: the build never imports it. Stages, in order: `source` (read a file into
blocks), `parse` (recognise the format and split it into posts), `events` (choose and merge),
`drafts` (date, tag, cite, name), `plan` (check against existing files, then write).
"""
