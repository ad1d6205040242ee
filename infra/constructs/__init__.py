"""One construct per capability; the stacks compose them."""
