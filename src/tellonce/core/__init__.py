"""The bottom layer, importing no domain app: base models (`Timestamped`,
`Archivable`, `Provenance`: README.md), dates (`PartialDate`, `when_said`), working
days (`workdays`), hooks (`hooks`: how an app's moments reach the apps above it), form
helpers, `acting_user`, the base template, the clock task and `tellonce serve`."""
