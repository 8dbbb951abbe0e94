# The two commands of the README. Each creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch's CPU build is installed first, pinned, so that the text/bench extras (which only ask for
# torch>=2.1) do not pull a multi-GB CUDA build.
TORCH  ?= torch==2.13.0

.PHONY: test bench test-cpu test-cudasim clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[test,text]"
	touch $@

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[bench]"
	touch $@

# pytest exits non-zero on a failure and also when no test ran (exit code 5).
test: test-cpu test-cudasim

# `python -m dsp warmup` first: it compiles the kernels into the cache in 2 processes at once, so
# pytest loads them instead of compiling them one after another on one core (Numba compiles serially).
# Then pytest-xdist runs the tests in TEST_JOBS processes: most tests keep one core busy (loading
# kernels, subprocesses that compile, Python around small calls), so two workers on two cores
# take 10-11 minutes where one took 18 with the kernel cache filled (stop 49: user time 18 min over
# 9.9 min of wall time); with it empty 14-15 (stop 50; 17.5 at stop 49 in a slower spell), as each
# worker compiles the signatures the warm-up does not reach (the tests' other layouts and modes). Whole
# files go to one worker (--dist loadfile): a module's fixtures (the wheel test_packaging builds in
# the source tree, the benchmark suite's quick run) are made once, never twice at the same time.
TEST_JOBS ?= 2
XDIST     := -n $(TEST_JOBS) --dist loadfile
test-cpu: $(VENV)/.test-installed
	$(BIN)/python -m dsp warmup --jobs 2
	$(BIN)/python -m pytest tests -m "not cudasim" -q $(XDIST) --durations=15

# The GPU kernels under Numba's CUDA simulator, in their own processes: the variable must be set
# before numba is first imported. The simulator runs every CUDA thread as a Python thread on one
# core, so these tests are spread over TEST_JOBS workers too.
test-cudasim: $(VENV)/.test-installed
	NUMBA_ENABLE_CUDASIM=1 $(BIN)/python -m pytest tests -m cudasim -q $(XDIST) --durations=5

# then how cost grows with length, n_fft, batch and threads (benchmarks/scaling.py, several minutes:
# SCALING_ARGS=--quick keeps it to about a minute)
bench: $(VENV)/.bench-installed
	$(BIN)/python -m dsp warmup --jobs 2
	$(BIN)/python -m benchmarks $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.scaling $(SCALING_ARGS)

# The GPU evidence run (issue 23, docs/gpu.md): tests at full size on CuPy, GPU benchmarks, our FFT
# vs cuFFT, benchmarks/results/<gpu>-<date>.json. No venv is made: a lent GPU machine has no
# network, so it runs on that machine's python3 (or .venv's, where there is one) and installs what
# is missing from the wheels carried in .whl/gpu-check. GPU_CHECK_ARGS=--simulate: the dry run.
.PHONY: gpu-check
GPU_PYTHON ?= $(if $(wildcard $(BIN)/python),$(BIN)/python,python3)
gpu-check:
	$(GPU_PYTHON) -m benchmarks.gpu_check $(GPU_CHECK_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
