#!/usr/bin/env python3
"""Structural checks of `avshadow report --format dot` output.

Parses the DOT statements (node and edge statements with their attribute
lists; clusters give each VMA its process) and checks a named case:
  lwn    the LWN 2010 anon_vma_chain picture after the child's COW: the
         parent's VMA chained to its anon_vma av1 by one AVC, the child's
         VMA chained by two AVCs to its own av2 and to av1, av2's parent av1
  large  a large graph summarised: process groups and families only, the
         edges carrying AVC counts
usage: dot_check.py lwn|large FILE
"""
import re
import sys

ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\]\s]+)')


def attrs(text):
    return {k: v.strip('"') for k, v in ATTR.findall(text or "")}


def parse(doc):
    nodes, edges, cluster = {}, [], None
    assert doc.lstrip().startswith("digraph"), "not a digraph"
    assert doc.count("{") == doc.count("}"), "unbalanced braces"
    for line in doc.splitlines():
        line = line.strip()
        m = re.match(r"subgraph (cluster_\w+) \{", line)
        if m:
            cluster = m.group(1)
            continue
        if line == "}":
            cluster = None
            continue
        m = re.match(r'("[^"]+"|\w+) -> ("[^"]+"|\w+)(?: \[(.*)\])?;$', line)
        if m:
            edges.append((m.group(1).strip('"'), m.group(2).strip('"'),
                          attrs(m.group(3))))
            continue
        m = re.match(r'("[^"]+"|\w+) \[(.*)\];$', line)
        if m and m.group(1) not in ("graph", "node", "edge"):
            a = attrs(m.group(2))
            a["cluster"] = cluster
            nodes[m.group(1).strip('"')] = a
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} to an unknown node"
    return nodes, edges


def of_class(nodes, c):
    return sorted(n for n, a in nodes.items() if a.get("class") == c)


def lwn(nodes, edges):
    vmas, avs, avcs = (of_class(nodes, c) for c in ("vma", "anon_vma", "avc"))
    assert len(vmas) == 2 and len(avs) == 2 and len(avcs) == 3, \
        f"{len(vmas)} VMAs, {len(avs)} anon_vmas, {len(avcs)} AVCs"
    same_vma = [(a, b) for a, b, x in edges if x.get("class") == "same_vma"]
    same_av = [(a, b) for a, b, x in edges if x.get("class") == "same_anon_vma"]
    parent = [(a, b) for a, b, x in edges if x.get("class") == "parent"]
    assert len(same_vma) == 3 and len(same_av) == 3, "3 AVCs, 2 edges each"
    assert all(a in vmas and b in avcs for a, b in same_vma)
    assert all(a in avcs and b in avs for a, b in same_av)
    assert sorted(b for _, b in same_vma) == avcs, "each AVC on one VMA"
    reach = {v: sorted(dict(same_av)[c] for a, c in same_vma if a == v)
             for v in vmas}
    by_proc = {nodes[v]["cluster"]: reach[v] for v in vmas}
    assert by_proc == {"cluster_p100": ["av_1"],
                       "cluster_p101": ["av_1", "av_2"]}, by_proc
    assert parent == [("av_2", "av_1")], parent


def large(nodes, edges):
    assert not of_class(nodes, "avc") and not of_class(nodes, "vma")
    procs, fams = of_class(nodes, "process"), of_class(nodes, "family")
    assert procs and fams and len(nodes) == len(procs) + len(fams)
    assert len(nodes) <= 200
    for a, b, x in edges:
        assert a in procs and b in fams and re.match(r"\d+ AVCs", x["label"])


if __name__ == "__main__":
    nodes, edges = parse(open(sys.argv[2]).read())
    {"lwn": lwn, "large": large}[sys.argv[1]](nodes, edges)
    print(f"{sys.argv[1]}: {len(nodes)} nodes, {len(edges)} edges: ok")
