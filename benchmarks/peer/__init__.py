"""The op cases of benchmarks/torch_peer.py, one module per bench family, named as the bench
entries of the op table (src/main/java/io/jkernels/table/families/*Table.java; torch_peer.py
checks the names and takes each entry's family from the table, tools/optable.py): common (sizes,
the case and variant types), elementwise (tensor copy_* and activations), optimizers, resample,
vq, rl, and timing (how a variant is measured). Not a script: torch_peer.py imports it from its
own directory.
"""
