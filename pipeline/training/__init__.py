"""Training data conversion, training and evaluation of the NER model."""
