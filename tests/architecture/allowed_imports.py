"""An import-linter contract type: what some packages may import from outside the project.

import-linter's own `forbidden` contract lists what is refused, so a framework it
does not name gets in unnoticed. This one lists what is allowed (the standard
library always is) and refuses everything else.
"""

from __future__ import annotations

import sys
from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class AllowedImportsContract(Contract):
    """Modules of `source_modules` import nothing external but the standard library and
    `allowed_modules` (top-level package names)."""

    type_name = "allowed_imports"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        sources: list[str] = list(self.source_modules)  # type: ignore[call-overload]
        allowed = set(self.allowed_modules) | set(sys.stdlib_module_names)  # type: ignore[call-overload]
        roots = {name.split(".")[0] for name in self.session_options["root_packages"]}
        refused: list[dict[str, Any]] = []
        for source in sources:
            for module in sorted({source} | graph.find_descendants(source)):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    top = imported.split(".")[0]
                    if top in roots or top in allowed:
                        continue
                    for detail in graph.get_import_details(importer=module, imported=imported):
                        refused.append(
                            {
                                "importer": module,
                                "imported": imported,
                                "line": detail["line_number"],
                            }
                        )
                    output.verbose_print(verbose, f"{module} imports {imported}")
        return ContractCheck(kept=not refused, metadata={"refused": refused})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["refused"]:
            output.print_error(
                f"{item['importer']} imports {item['imported']} (line {item['line']}), "
                "which is not on the allow-list",
                bold=False,
            )
        output.new_line()
