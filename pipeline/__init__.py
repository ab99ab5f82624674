"""newsmine: a text-mining pipeline for German regional news.

Data flow: sources -> fetch -> extract -> nlp -> store -> review.
"""

__version__ = "0.1.0"
