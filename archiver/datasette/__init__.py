"""The archive's Datasette plugin: installed with thread-archiver, it is registered through the
`datasette` entry points (pyproject.toml), so a plain `datasette data/archive.db` has the thread
view, search, metadata, facets and canned queries of every archive it serves. This package
holds the plugin's templates and static files, which Datasette finds beside it; its hooks are
in plugins/, one module a feature."""
