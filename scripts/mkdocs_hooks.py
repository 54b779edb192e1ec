"""MkDocs hooks (mkdocs.yml `hooks:`): the Robot library's keyword page is made by libdoc at
build time, so the site always shows the keywords of the code it is built from."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

LIBDOC_PAGE = "reference/Seamline.html"


def on_files(files: Files, config: Any) -> Files:
    from robot.libdoc import libdoc

    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "Seamline.html"
        # libdoc reports a failure by its return code, printing the reason itself
        if libdoc("Seamline", str(output), quiet=True) != 0 or not output.exists():
            raise RuntimeError("libdoc could not document the Seamline library (see above)")
        files.append(File.generated(config, LIBDOC_PAGE, content=output.read_bytes()))
    return files
