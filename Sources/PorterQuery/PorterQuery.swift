// Placeholder: the PorterQuery engine lands with its issue.
