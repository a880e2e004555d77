"""The course edition of the book: student notebooks and HTML without solutions, otter-grader checks."""
