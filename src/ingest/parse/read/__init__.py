"""Reading a document: bytes -> text -> front matter and body -> checked -> blocks."""
