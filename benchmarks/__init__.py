"""OpenTOS benchmarks: speed and quality figures, printed; never timed assertions in tests."""
