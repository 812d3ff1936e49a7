// Placeholder: the PorterFormats engine lands with its issue.
