"""SlipStation: pulls orders from Shippo, prints packing slips through PrintNode."""

__version__ = "0.1.0"
APP_NAME = "SlipStation"
