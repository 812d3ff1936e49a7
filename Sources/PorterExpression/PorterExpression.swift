// Placeholder: the PorterExpression engine lands with its issue.
