from samples.generate.profiles.sparse import PROFILE as _P
from dataclasses import replace
PROFILE = replace(_P, name="busy")
