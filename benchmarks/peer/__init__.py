"""The op cases of benchmarks/torch_peer.py, one module per bench family, as the Java entries
(io.jkernels.bench.*Bench): common (sizes, the case and variant types), elementwise (tensor
copy_* and activations, ElementwiseBench), optimizers, resample (the "resampling" family), vq,
rl, and timing (how a variant is measured). Not a script: torch_peer.py imports it from its own
directory.
"""
