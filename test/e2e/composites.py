"""Composite particles for the PyTorch reference: expands every instance of a
composite into plain particles, independently of soracc.

An instance `b1` of composite `block` becomes particles `b1.<inner>` (so its
weights are `b1.<inner>.<param>`, as docs/model-format.md specifies),
recursively for nested composites. A reference to the instance (`b1`, single
output) or to one of its outputs (`b1.q`) is rewritten to the value that
produces it; where that value has another name, an `_alias` particle (an
identity) keeps the reference's name, so model outputs keep theirs.
"""

import copy

ALIAS_OP = "_alias"


class CompositeError(Exception):
    """A composite the reference cannot expand; the message names it."""


def _inputs_of(particle):
    if "inputs" in particle:
        return list(particle["inputs"])
    return [particle["input"]] if "input" in particle else []


def _set_inputs(particle, names):
    particle.pop("input", None)
    particle.pop("inputs", None)
    if len(names) == 1 and particle["op"] not in ("add", "mul"):
        particle["input"] = names[0]
    else:
        particle["inputs"] = names


def _expand(particles, composites, rename, prefix="", depth=0):
    """Returns flat particles named `prefix + name`; `rename(name)` maps a
    reference to the flat name of its value."""
    if depth > 32:
        raise CompositeError("composite particles nest too deeply (recursion?)")
    flat = []
    for p in particles:
        p = copy.deepcopy(p)
        inputs = [rename(name) for name in _inputs_of(p)]
        p["name"] = prefix + p["name"]
        composite = composites.get(p["op"])
        if composite is None:
            _set_inputs(p, inputs)
            flat.append(p)
            continue
        formals = [i["name"] for i in composite["inputs"]]
        if len(formals) != len(inputs):
            raise CompositeError(f"particle '{p['name']}': composite '{p['op']}' "
                                 f"takes {len(formals)} inputs, got {len(inputs)}")
        binding = dict(zip(formals, inputs))
        inner_names = {q["name"] for q in composite["particles"]}
        inner_prefix = p["name"] + "."

        def inner_rename(name, binding=binding, inner_names=inner_names,
                         inner_prefix=inner_prefix):
            if name in binding:
                return binding[name]
            head = name.rsplit(".", 1)[0] if "." in name else name
            if name in inner_names or head in inner_names:
                return inner_prefix + name
            raise CompositeError(f"unknown name '{name}' inside composite")

        flat += _expand(composite["particles"], composites, inner_rename, inner_prefix,
                        depth + 1)
        outputs = [inner_rename(o) for o in composite["outputs"]]
        if len(outputs) == 1:
            flat.append({"name": p["name"], "op": ALIAS_OP, "input": outputs[0]})
        else:
            for out_name, value in zip(composite["outputs"], outputs):
                if value != inner_prefix + out_name:
                    flat.append({"name": inner_prefix + out_name, "op": ALIAS_OP,
                                 "input": value})
    return flat


def expand_composites(model):
    """Returns `model` with every composite instance expanded."""
    composites = {c["name"]: c for c in model.get("composites", [])}
    if not composites:
        return model
    flat = dict(model)
    flat.pop("composites")
    flat["particles"] = _expand(model["particles"], composites, lambda name: name)
    return flat
