"""Spreadsheet imports that round-trip with the exports: files.py reads CSV/XLSX, kinds.py
matches and writes each kind through the services, runner.py is the dry run and the apply,
services.py the life of an import run, template.py the XLSX template per kind."""
