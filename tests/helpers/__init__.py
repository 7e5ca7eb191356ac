"""Code the tests share (projects, processes, fixtures, fakes, host checks). Test modules import from here, never
from one another; tests/ is on sys.path, so `from helpers.project import ProjectDir`."""
