"""Scripts and worker functions run in child processes by tests/test_process_safety.py."""
