"""The Meraki Dashboard client: the only `meraki` import, the shared rate budget, the fan-out."""
