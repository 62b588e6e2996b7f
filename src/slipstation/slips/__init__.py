"""Packing slips and pick lists as PDF bytes, drawn with ReportLab: vector text and barcodes."""
