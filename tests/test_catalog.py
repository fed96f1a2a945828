"""catalog.toml matches the tree: notebooks, labs, solutions and wrong answers line up."""

from __future__ import annotations

import re

from suite import CATALOG, ROOT

from patterns_workbook.catalog import TRACKS


def _numbered(folder: str, pattern: str = "[0-9][0-9]_*") -> set[str]:
    return {p.name for p in (ROOT / folder).glob(pattern)}


def test_start_notebook_exists() -> None:
    assert (ROOT / CATALOG.start).is_file(), f"catalog start {CATALOG.start} does not exist"


def test_labs_are_in_learning_order_and_unique() -> None:
    ids = [lab.id for lab in CATALOG.labs]
    assert ids == sorted(set(ids)), f"catalog lab ids must be unique and ascending: {ids}"
    for lab_id in ids:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", lab_id), f"{lab_id} is not NN_slug"


def test_every_catalog_lab_has_its_folders_and_notebook() -> None:
    for lab in CATALOG.labs:
        assert lab.path.is_dir(), f"{lab.id}: labs/{lab.id} is missing"
        assert lab.solution_path.is_dir(), f"{lab.id}: solutions/{lab.id} is missing"
        assert (lab.root / lab.notebook).is_file(), f"{lab.id}: {lab.notebook} is missing"
        assert lab.notebook.startswith(f"notebooks/{lab.number}_"), (
            f"{lab.id}: notebook {lab.notebook} should carry the lab's number {lab.number}"
        )
        assert (lab.path / lab.package).is_dir(), f"{lab.id}: package {lab.package}/ missing"
        assert set(lab.frameworks) <= set(TRACKS), f"{lab.id}: unknown frameworks"
        assert lab.tasks and lab.minutes > 0, f"{lab.id}: needs tasks and minutes"


def test_every_folder_is_in_the_catalog() -> None:
    ids = {lab.id for lab in CATALOG.labs}
    assert _numbered("labs") <= ids, f"labs not in catalog.toml: {_numbered('labs') - ids}"
    assert _numbered("solutions") <= ids, f"solutions without a lab: {_numbered('solutions') - ids}"
    wrong = _numbered("tests/wrong_answers")
    assert wrong <= ids, f"wrong answers without a lab: {wrong - ids}"
    notebooks = {lab.notebook for lab in CATALOG.labs} | {CATALOG.start}
    on_disk = {f"notebooks/{n}" for n in _numbered("notebooks", "[0-9][0-9]_*.ipynb")}
    assert on_disk <= notebooks, f"notebooks with no lab in catalog.toml: {on_disk - notebooks}"


def test_package_names_are_unique() -> None:
    packages = [lab.package for lab in CATALOG.labs]
    assert len(packages) == len(set(packages)), f"two labs share a package name: {packages}"


def test_catalog_names_each_labs_learner_files() -> None:
    for lab in CATALOG.labs:
        assert lab.files, f"{lab.id}: catalog.toml names no `files` the learner edits"
        assert set(lab.files) == set(lab.solution_files()), (
            f"{lab.id}: the catalog's files {sorted(lab.files)} and solutions/{lab.id} "
            f"{lab.solution_files()} must name the same learner files"
        )
        for rel in lab.files:
            assert (lab.path / rel).is_file(), f"{lab.id}: labs/{lab.id}/{rel} is missing"
