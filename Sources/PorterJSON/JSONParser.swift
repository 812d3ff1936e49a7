// Parser lands in the next commit.
