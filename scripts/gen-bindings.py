#!/usr/bin/python3
"""Generates Solace's low-level Fortran and Julia bindings from the public C headers.

usage: gen-bindings.py           (re)writes the generated files
       gen-bindings.py --check   exits 1 if a committed generated file differs from what the
                                 headers give now (prints a unified diff)
       gen-bindings.py --list    prints the parsed ABI (one line per item), for debugging
       --root DIR                reads DIR/include and writes DIR/bindings instead of this tree

Reads include/solace/*.h except petsc.h (the PETSc-facing extra is not part of the
language-neutral ABI) and writes
  bindings/fortran/solace_c.f90           module solace_c: bind(C) interfaces and constants
  bindings/julia/Solace/src/gen/libsolace.jl   one ccall wrapper per function and constants

The parser is deliberately small: it understands exactly the header style of include/solace
(Doxygen block comments, include guards, `extern "C"` braces, integer #defines, enums with
integer values, `typedef struct x_s *x;` handles, `typedef int (*name)(...);` callbacks and
`SOLACE_EXPORT <type> name(params);` functions over the types int, int64_t, uint64_t, double,
char, void, handles and callbacks). Anything else stops it with an error naming the header and
the text it could not map, so the bindings never silently miss part of the ABI.
Python 3 standard library only.
"""
import difflib
import os
import re
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(ROOT, "include", "solace")
EXCLUDED_HEADERS = {"petsc.h"}
FORTRAN_OUT = os.path.join(ROOT, "bindings", "fortran", "solace_c.f90")
JULIA_OUT = os.path.join(ROOT, "bindings", "julia", "Solace", "src", "gen", "libsolace.jl")
NUMERIC = {"int", "int64_t", "uint64_t", "double"}
# #defines that are part of the header machinery, not constants.
IGNORED_DEFINES = {"SOLACE_EXPORT"}
JULIA_KEYWORDS = {"begin", "end", "function", "global", "local", "module", "type", "quote",
                  "let", "do", "for", "while", "if", "else", "elseif", "try", "catch", "finally",
                  "return", "break", "continue", "macro", "struct", "mutable", "abstract",
                  "primitive", "import", "using", "export", "const", "baremodule", "in", "isa"}


class ParseError(Exception):
    pass


class Param:
    """One C parameter: base type, pointer depth, constness of the pointee, array suffix."""

    def __init__(self, name, base, depth, const_base, text):
        self.name, self.base, self.depth, self.const_base, self.text = (name, base, depth,
                                                                        const_base, text)
        self.kind = None  # set by classify()


class Function:
    def __init__(self, name, ret, params, doc, header):
        self.name, self.ret, self.params, self.doc, self.header = name, ret, params, doc, header


class Abi:
    def __init__(self):
        self.functions, self.constants, self.handles, self.callbacks = [], [], [], []
        self.headers = []


def clean_doc(text):
    """Doxygen block -> plain lines without the comment markers."""
    text = re.sub(r"^/\*\*<?|\*/$", "", text.strip())
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*\*\s?", "", line).rstrip()
        line = re.sub(r"^\s*@name\s+", "", line)
        if not lines:
            line = line.lstrip()
        lines.append(line)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def parse_param(text, abi, where, allow_name=True):
    """Parses one C parameter declaration such as `const int64_t *const *rowptr`."""
    original = " ".join(text.split())
    m = re.fullmatch(r"(.*?)([A-Za-z_]\w*)\s*((?:\[\s*\d*\s*\])*)", original)
    if not m:
        raise ParseError(f"{where}: cannot parse parameter '{original}'")
    type_text, name, array = m.group(1), m.group(2), m.group(3)
    tokens = re.findall(r"[A-Za-z_]\w*|\*", type_text)
    if not tokens:
        raise ParseError(f"{where}: parameter '{original}' has no type")
    const_base = False
    base = None
    depth = 0
    for tok in tokens:
        if tok == "const":
            if base is None:
                const_base = True
            continue  # const on a pointer level does not change the binding
        if tok == "*":
            if base is None:
                raise ParseError(f"{where}: '*' before the type in '{original}'")
            depth += 1
            continue
        if base is not None:
            raise ParseError(f"{where}: two type names in parameter '{original}'")
        base = tok
    depth += array.count("[")
    known = NUMERIC | {"char", "void"} | set(abi.handles) | {c["name"] for c in abi.callbacks}
    if base not in known:
        raise ParseError(f"{where}: unknown type '{base}' in parameter '{original}'")
    p = Param(name, base, depth, const_base, original)
    classify(p, abi, where)
    return p


def classify(p, abi, where):
    callbacks = {c["name"] for c in abi.callbacks}
    if p.base in NUMERIC and p.depth == 0:
        p.kind = "scalar"
    elif p.base == "char" and p.depth == 1:
        p.kind = "string" if p.const_base else "buffer"
    elif p.base in abi.handles and p.depth == 0:
        p.kind = "handle"
    elif p.base in abi.handles and p.depth == 1:
        p.kind = "handle_ref"
    elif p.base in callbacks and p.depth == 0:
        p.kind = "funptr"
    elif p.base == "void" and p.depth == 1:
        p.kind = "voidptr"
    elif (p.base in NUMERIC or p.base == "char") and p.depth >= 1:
        p.kind = "pointer"
    else:
        raise ParseError(f"{where}: no binding for parameter '{p.text}'")


def split_params(text):
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def parse_params(text, abi, where):
    text = text.strip()
    if text in ("void", ""):
        if text == "":
            raise ParseError(f"{where}: empty parameter list (write (void))")
        return []
    params = [parse_param(p, abi, where) for p in split_params(text)]
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ParseError(f"{where}: repeated parameter names")
    return params


def parse_enum(body, abi, where, enum_name):
    """Parses `NAME = value, /**< doc */ ...` into constants."""
    value = -1
    # Attach each trailing /**< */ comment to the member before it.
    items = re.findall(r"([A-Za-z_]\w*)\s*(?:=\s*([-+]?\s*\w+))?\s*,?\s*(/\*\*<.*?\*/)?", body,
                       re.S)
    stripped = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    members = [m for m in re.split(r",", stripped) if m.strip()]
    if len(members) != len(items):
        raise ParseError(f"{where}: cannot parse the body of enum {enum_name}")
    for (name, val, doc), member in zip(items, members):
        if not re.fullmatch(r"\s*[A-Za-z_]\w*\s*(=\s*[-+]?\s*(0|[1-9]\d*)\s*)?", member):
            raise ParseError(f"{where}: enum {enum_name}: cannot map member '{member.strip()}'")
        value = int(val.replace(" ", "")) if val else value + 1
        abi.constants.append({"name": name, "value": value,
                              "doc": " ".join(" ".join(clean_doc(doc)).split()),
                              "group": enum_name})


def parse_header(path, abi):
    name = os.path.basename(path)
    text = open(path, encoding="utf-8").read()
    pos, doc = 0, None
    cond_stack = []
    while True:
        m = re.compile(r"\s*").match(text, pos)
        pos = m.end()
        if pos >= len(text):
            break
        where = f"{name}:{text.count(chr(10), 0, pos) + 1}"
        if text.startswith("/*", pos):
            end = text.find("*/", pos)
            if end < 0:
                raise ParseError(f"{where}: unterminated comment")
            comment = text[pos:end + 2]
            if comment.startswith("/**") and not comment.startswith("/**@") \
                    and "@file" not in comment:
                doc = clean_doc(comment)
            pos = end + 2
            continue
        if text.startswith("//", pos):
            pos = text.find("\n", pos)
            continue
        if text.startswith("#", pos):
            end = pos
            while True:
                end = text.find("\n", end)
                if end < 0:
                    end = len(text)
                    break
                if text[end - 1] != "\\":
                    break
                end += 1
            line = " ".join(text[pos:end].replace("\\\n", " ").split())
            pos = end
            directive = line[1:].split()[0] if len(line) > 1 else ""
            if directive in ("if", "ifdef", "ifndef"):
                cond_stack.append(line)
            elif directive == "endif":
                cond_stack.pop()
            elif directive in ("else", "elif", "include", "pragma"):
                pass
            elif directive == "define":
                parts = line.split(None, 2)
                macro = parts[1]
                if macro in IGNORED_DEFINES or "(" in macro:
                    if "(" in macro:
                        raise ParseError(f"{where}: function-like macro {macro} has no binding")
                elif len(parts) == 2:
                    pass  # include guard
                elif re.fullmatch(r"-?(0|[1-9]\d*)", parts[2]):
                    abi.constants.append({"name": macro, "value": int(parts[2]),
                                          "doc": " ".join(doc or []), "group": "define"})
                else:
                    raise ParseError(f"{where}: #define {macro} {parts[2]}: not an integer")
            else:
                raise ParseError(f"{where}: unexpected directive '{line}'")
            continue
        if text.startswith('extern "C"', pos):
            brace = text.find("{", pos)
            pos = brace + 1
            continue
        if text.startswith("}", pos):
            if not any("__cplusplus" in c for c in cond_stack):
                raise ParseError(f"{where}: unexpected '}}'")
            pos += 1
            continue
        # A declaration: up to the ';' outside braces.
        depth, end = 0, pos
        while end < len(text):
            ch = text[end]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == ";" and depth == 0:
                break
            elif text.startswith("/*", end):
                close = text.find("*/", end)
                if close < 0:
                    raise ParseError(f"{where}: unterminated comment")
                end = close + 1
            end += 1
        decl = text[pos:end]
        pos = end + 1
        handle_declaration(decl, doc, abi, where, name)
        doc = None
    if cond_stack:
        raise ParseError(f"{name}: unbalanced #if")


def handle_declaration(decl, doc, abi, where, header):
    flat = " ".join(re.sub(r"/\*(?!\*<).*?\*/", "", decl, flags=re.S).split())
    m = re.fullmatch(r"enum\s+(\w+)\s*\{(.*)\}", decl.strip(), re.S)
    if m:
        parse_enum(m.group(2), abi, where, m.group(1))
        return
    m = re.fullmatch(r"typedef struct (\w+) \*\s*(\w+)", flat)
    if m:
        abi.handles.append(m.group(2))
        return
    m = re.fullmatch(r"typedef int \(\*\s*(\w+)\)\s*\((.*)\)", flat)
    if m:
        cb = {"name": m.group(1), "doc": doc or [], "params": None}
        cb["params"] = parse_params(m.group(2), abi, f"{where} (callback {m.group(1)})")
        abi.callbacks.append(cb)
        return
    m = re.fullmatch(r"SOLACE_EXPORT (const char \*|int|double)\s*(\w+)\s*\((.*)\)", flat)
    if m:
        ret = {"const char *": "string", "int": "int", "double": "double"}[m.group(1)]
        fname = m.group(2)
        if not fname.startswith("solace_"):
            raise ParseError(f"{where}: exported function {fname} does not start with solace_")
        params = parse_params(m.group(3), abi, f"{where} ({fname})")
        abi.functions.append(Function(fname, ret, params, doc or [], header))
        return
    raise ParseError(f"{where}: cannot map declaration '{flat[:120]}'")


def parse_all():
    abi = Abi()
    # The umbrella header's order (each header after those it includes), then any other header.
    umbrella = open(os.path.join(ROOT, "include", "solace.h"), encoding="utf-8").read()
    headers = re.findall(r'#include "solace/(\w+\.h)"', umbrella)
    headers += sorted(h for h in os.listdir(INCLUDE) if h.endswith(".h") and h not in headers)
    for h in headers:
        if h in EXCLUDED_HEADERS:
            continue
        abi.headers.append(h)
        parse_header(os.path.join(INCLUDE, h), abi)
    names = [f.name for f in abi.functions]
    if len(set(names)) != len(names):
        raise ParseError("a function is declared twice")
    # Fortran is case-insensitive: every name must stay distinct once lower-cased.
    every = (["c_" + f.name for f in abi.functions] + [c["name"] for c in abi.constants] +
             [c["name"] for c in abi.callbacks])
    lowered = [n.lower() for n in every]
    for n in set(lowered):
        if lowered.count(n) > 1:
            raise ParseError(f"name {n} is used twice (Fortran names ignore case)")
    if not abi.functions:
        raise ParseError("no SOLACE_EXPORT function found")
    return abi


# ---------------------------------------------------------------------------------------------
# Fortran

FORTRAN_SCALAR = {"int": "integer(c_int)", "int64_t": "integer(c_int64_t)",
                  "uint64_t": "integer(c_int64_t)", "double": "real(c_double)"}


def fortran_dummy(p):
    """Declaration of a dummy argument in a bind(C) interface."""
    if p.kind == "scalar":
        return f"{FORTRAN_SCALAR[p.base]}, value :: {p.name}"
    if p.kind == "string":
        return f"character(kind=c_char), dimension(*), intent(in) :: {p.name}"
    if p.kind == "buffer":
        return f"character(kind=c_char), dimension(*), intent(out) :: {p.name}"
    if p.kind == "handle":
        return f"type(c_ptr), value :: {p.name}"
    if p.kind == "handle_ref":
        return f"type(c_ptr), intent(inout) :: {p.name}"
    if p.kind == "funptr":
        return f"type(c_funptr), value :: {p.name}"
    if p.kind in ("voidptr", "pointer"):
        return f"type(c_ptr), value :: {p.name}"
    raise ParseError(f"no Fortran binding for {p.text}")


def wrap(lines, width=96):
    out = []
    for line in lines:
        out += textwrap.wrap(line, width, subsequent_indent="    ", break_on_hyphens=False,
                             break_long_words=False) if len(line) > width else [line]
    return out


def fortran_comment(lines, indent):
    out = []
    for line in lines:
        out.append(f"{indent}!{(' ' + line) if line else ''}".rstrip())
    return out


def fortran_continue(head, args, indent):
    """`head(a, b, c)` wrapped with & continuations under 100 columns."""
    lines, cur = [], f"{indent}{head}("
    for i, a in enumerate(args):
        piece = a + (", " if i + 1 < len(args) else "")
        if len(cur) + len(piece) > 96:
            lines.append(cur.rstrip() + " &")
            cur = indent + "    " + piece
        else:
            cur += piece
    return lines, cur + ")"


def c_signature(f_or_cb, name, ret):
    args = ", ".join(p.text for p in f_or_cb) if f_or_cb else "void"
    return f"{ret} {name}({args})"


def fortran_procedure(name, params, ret, bind_name, indent, abstract=False):
    out = []
    args = [p.name for p in params]
    if ret == "int":
        rtype, kw = "integer(c_int)", "function"
    elif ret == "double":
        rtype, kw = "real(c_double)", "function"
    elif ret == "string":
        rtype, kw = "type(c_ptr)", "function"
    else:
        raise ParseError(f"{name}: no Fortran binding for return type {ret}")
    bind = "bind(C)" if abstract else f'bind(C, name="{bind_name}")'
    lines, last = fortran_continue(f"{kw} {name}", args, indent)
    out += lines
    if "return_value" in args:
        raise ParseError(f"{name}: a parameter is named return_value, the Fortran result name")
    out.append(f"{last} {bind} &")
    out.append(f"{indent}    result(return_value)")
    decls = [fortran_dummy(p) for p in params] + [f"{rtype} :: return_value"]
    kinds = sorted({k for d in decls for k in re.findall(r"\b(c_\w+)\b", d)})
    out.append(f"{indent}  import :: {', '.join(kinds)}")
    out.append(f"{indent}  implicit none")
    for d in decls:
        out.append(f"{indent}  {d}")
    out.append(f"{indent}end {kw} {name}")
    return out


def fortran_origin(headers):
    """The first comment line(s): the header list, wrapped when one line would pass 132 columns."""
    line = "! generated by scripts/gen-bindings.py from include/solace/{" + ",".join(headers) + "}, do not edit."
    if len(line) <= 132:
        return [line]
    wrapped = textwrap.wrap(",".join(headers) + "}, do not edit.", 120, break_on_hyphens=False)
    return ["! generated by scripts/gen-bindings.py from include/solace/{"] + ["!   " + w for w in wrapped]


def fortran_text(abi):
    out = fortran_origin(abi.headers) + [
           "! Regenerate with: /usr/bin/python3 scripts/gen-bindings.py",
           "!",
           "! module solace_c: the raw C ABI of Solace as Fortran 2003 bind(C) interfaces.",
           "! Each C function solace_x is interface c_solace_x here. Mapping: int -> integer(c_int),",
           "! int64_t and uint64_t -> integer(c_int64_t), double -> real(c_double), by value;",
           "! const char * -> character(kind=c_char) array (NUL-terminated: append c_null_char);",
           "! char * buffers -> character(kind=c_char) array; handles -> type(c_ptr), value;",
           "! handle out-pointers (solace_x *) -> type(c_ptr), intent(inout); every other pointer",
           "! (arrays, out-scalars, may-be-NULL arguments) -> type(c_ptr), value (use c_loc, or",
           "! c_null_ptr for NULL); callbacks -> type(c_funptr), value (use c_funloc).",
           "! The hand-written module solace (solace.f90) wraps these with Fortran types.",
           "module solace_c",
           "  use, intrinsic :: iso_c_binding, only: c_int, c_int64_t, c_double, c_char, c_ptr, &",
           "    c_funptr",
           "  implicit none",
           "  private",
           ""]
    publics = [c["name"] for c in abi.constants] + [c["name"] for c in abi.callbacks] + \
        ["c_" + f.name for f in abi.functions]
    for name in publics:
        out.append(f"  public :: {name}")
    out.append("")
    group = None
    for c in abi.constants:
        if c["group"] != group:
            group = c["group"]
            title = "#define constants" if group == "define" else f"enum {group}"
            out.append(f"  ! {title}")
        doc = f" ! {c['doc']}" if c["doc"] else ""
        decl = f"  integer(c_int), parameter :: {c['name']} = {c['value']}"
        if len(decl + doc) > 100:
            doc = (doc[:100 - len(decl) - 3] + "...") if len(decl) < 90 else ""
        out.append(decl + doc)
    out.append("")
    if abi.callbacks:
        out.append("  abstract interface")
        for cb in abi.callbacks:
            out += fortran_comment(cb["doc"], "    ")
            out += fortran_comment(wrap(["C: " + c_signature(cb["params"],
                                                             "(*" + cb["name"] + ")", "int")]),
                                   "    ")
            out += fortran_procedure(cb["name"], cb["params"], "int", None, "    ",
                                     abstract=True)
        out.append("  end interface")
        out.append("")
    out.append("  interface")
    for f in abi.functions:
        ret = {"int": "int", "double": "double", "string": "const char *"}[f.ret]
        out += fortran_comment(f.doc, "    ")
        out += fortran_comment(wrap([f"C ({f.header}): " + c_signature(f.params, f.name, ret)]),
                               "    ")
        out += fortran_procedure("c_" + f.name, f.params, f.ret, f.name, "    ")
        out.append("")
    if out[-1] == "":
        out.pop()
    out.append("  end interface")
    out.append("end module solace_c")
    # Fortran free form allows 132 columns; keep every line well within.
    for line in out:
        if len(line) > 132:
            raise ParseError(f"generated Fortran line too long: {line[:60]}...")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Julia

JULIA_SCALAR = {"int": "Cint", "int64_t": "Int64", "uint64_t": "UInt64", "double": "Cdouble",
                "char": "UInt8"}


def julia_type(p):
    if p.kind == "scalar":
        return JULIA_SCALAR[p.base]
    if p.kind == "string":
        return "Cstring"
    if p.kind == "buffer":
        return "Ptr{UInt8}"
    if p.kind in ("handle", "funptr", "voidptr"):
        return "Ptr{Cvoid}"
    if p.kind == "handle_ref":
        return "Ptr{Ptr{Cvoid}}"
    if p.kind == "pointer":
        t = JULIA_SCALAR[p.base]
        for _ in range(p.depth):
            t = f"Ptr{{{t}}}"
        return t
    raise ParseError(f"no Julia binding for {p.text}")


def julia_name(name):
    return name + "_" if name in JULIA_KEYWORDS else name


def julia_text(abi):
    out = ["# generated by scripts/gen-bindings.py from include/solace/{"
           + ",".join(abi.headers) + "}, do not edit.",
           "# Regenerate with: /usr/bin/python3 scripts/gen-bindings.py",
           "#",
           "# The raw C ABI of Solace: one function per C function, same name and arguments, each",
           "# a ccall returning the C status (Cint) unchanged. Mapping: int -> Cint, int64_t -> Int64,",
           "# uint64_t -> UInt64, double -> Cdouble, const char * -> Cstring, char * buffers ->",
           "# Ptr{UInt8}, T * -> Ptr{T}, handles and callbacks and void * -> Ptr{Cvoid}, handle",
           "# out-pointers -> Ptr{Ptr{Cvoid}} (pass a Ref{Ptr{Cvoid}}). The library path comes from",
           "# libsolace(), defined by Solace.jl (ccall's documented non-constant library form).",
           "# Included by Solace.jl inside the module Solace.LibSolace.",
           ""]
    group = None
    for c in abi.constants:
        if c["group"] != group:
            group = c["group"]
            out.append("# " + ("#define constants" if group == "define" else f"enum {group}"))
        doc = f"  # {c['doc']}" if c["doc"] else ""
        out.append(f"const {c['name']} = Cint({c['value']}){doc}")
    out.append("")
    for cb in abi.callbacks:
        out += ["# " + line if line else "#" for line in cb["doc"]]
        types = ", ".join(julia_type(p) for p in cb["params"])
        out += ["# " + line for line in wrap([f"callback {cb['name']}: returns Cint, arguments "
                                              f"({types}); make one with @cfunction(f, Cint, "
                                              f"{cb['name']}_argtypes)"], 98)]
        out.append(f"const {cb['name']}_argtypes = ({types}{',' if len(cb['params']) == 1 else ''})")
        out.append("")
    for f in abi.functions:
        ret = {"int": "Cint", "double": "Cdouble", "string": "Cstring"}[f.ret]
        cret = {"int": "int", "double": "double", "string": "const char *"}[f.ret]
        out += ["# " + line if line else "#" for line in f.doc]
        out += ["# " + line for line in wrap([f"C ({f.header}): " +
                                              c_signature(f.params, f.name, cret)], 98)]
        args = ", ".join(julia_name(p.name) for p in f.params)
        types = ", ".join(julia_type(p) for p in f.params)
        if len(f.params) == 1:
            types += ","
        out.append(f"function {f.name}({args})")
        call_args = (", " + args) if args else ""
        out.append(f"    ccall((:{f.name}, libsolace()), {ret}, ({types}){call_args})")
        out.append("end")
        out.append("")
    out.pop()
    return "\n".join(out) + "\n"


def set_root(root):
    """Reads and writes under another source tree (the tests use a copy)."""
    global ROOT, INCLUDE, FORTRAN_OUT, JULIA_OUT
    ROOT = os.path.abspath(root)
    INCLUDE = os.path.join(ROOT, "include", "solace")
    FORTRAN_OUT = os.path.join(ROOT, "bindings", "fortran", "solace_c.f90")
    JULIA_OUT = os.path.join(ROOT, "bindings", "julia", "Solace", "src", "gen", "libsolace.jl")


def main(argv):
    if "--root" in argv:
        set_root(argv[argv.index("--root") + 1])
    try:
        abi = parse_all()
        outputs = {FORTRAN_OUT: fortran_text(abi), JULIA_OUT: julia_text(abi)}
    except ParseError as e:
        print(f"gen-bindings: error: {e}", file=sys.stderr)
        return 2
    if "--list" in argv:
        for c in abi.constants:
            print(f"constant {c['name']} = {c['value']}")
        for h in abi.handles:
            print(f"handle {h}")
        for cb in abi.callbacks:
            print(f"callback {cb['name']} ({', '.join(p.kind for p in cb['params'])})")
        for f in abi.functions:
            print(f"function {f.ret} {f.name} ({', '.join(p.kind for p in f.params)})")
        return 0
    if "--check" in argv:
        stale = 0
        for path, text in outputs.items():
            rel = os.path.relpath(path, ROOT)
            try:
                old = open(path, encoding="utf-8").read()
            except FileNotFoundError:
                print(f"gen-bindings: {rel} is missing", file=sys.stderr)
                stale += 1
                continue
            if old != text:
                stale += 1
                print(f"gen-bindings: {rel} is out of date with the headers:", file=sys.stderr)
                sys.stderr.writelines(list(difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True), rel + " (committed)",
                    rel + " (from headers)"))[:80])
        if stale:
            print("gen-bindings: run /usr/bin/python3 scripts/gen-bindings.py and commit the result",
                  file=sys.stderr)
            return 1
        print(f"gen-bindings: up to date ({len(abi.functions)} functions, "
              f"{len(abi.constants)} constants, {len(abi.handles)} handles, "
              f"{len(abi.callbacks)} callbacks)")
        return 0
    for path, text in outputs.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"gen-bindings: wrote {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
