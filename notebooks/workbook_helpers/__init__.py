"""Scaffolding the notebooks import, so that their cells show the pattern, not the plumbing.

Each module belongs to one notebook (`nb03_*` to notebook 03, …). A notebook's set-up cell puts
`notebooks/` on `sys.path`, so the import works whether the kernel starts in `notebooks/`
(JupyterLab, nbval) or in the project root. Nothing here is a lab's solution.
"""
