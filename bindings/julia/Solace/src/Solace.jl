"""
    Solace

Julia interface to Solace (datasets of parametric PDE solutions, SKR sequence solver, implicit
differentiation).

Two layers:
- `Solace.LibSolace`: generated from the C headers by scripts/gen-bindings.py (`gen/libsolace.jl`):
  one function per C function, same name and arguments, returning the C status.
- this module: handles as mutable structs with finalizers (`Store`, `Pde`, `Generate`, `Skr`,
  `Implicit`),
  errors as `SolaceError` exceptions carrying the code and `solace_error_message()`, Julia arrays
  passed to C without copies (fields are column-major, x fastest: an nx x ny field is a
  `Matrix{Float64}` of size (nx, ny)), and callbacks that never throw through C.

The library is `ENV["SOLACE_LIB"]` (the path of libsolace.so, or the directory holding it) or,
when that is unset, the first that exists of `Solace.LIBRARY_FALLBACKS`.
Sample indices, orders and CSR arrays are 0-based, as in C.
"""
module Solace

using Libdl

export SolaceError, Store, Pde, Generate, Skr, CSR, destroy!, initialize, finalize_solace,
       write_sample!, read_sample, read_stats, set_attribute!, get_attribute_string,
       get_attribute_double, get_attribute_int, sample, solve, run!, summary_figures,
       solve_sequence, set_features!, solve_order, store_grid, store_count, store_family,
       Implicit, implicit_jvp, implicit_vjp, implicit_jacobian, implicit_report,
       Bcd, bcd_fit, bcd_history, koopman_eigenvalues

# ---- finding the library -----------------------------------------------------------------------

"Places tried, in order, when ENV[\"SOLACE_LIB\"] is not set."
const LIBRARY_FALLBACKS = [
    "/usr/local/lib/libsolace.so",
    "/usr/local/lib64/libsolace.so",
    "/usr/local/lib/x86_64-linux-gnu/libsolace.so",
    "/usr/lib/x86_64-linux-gnu/libsolace.so",
    "/usr/lib/libsolace.so",
    # a build tree beside this package (bindings/julia/Solace -> the repository root)
    normpath(joinpath(@__DIR__, "..", "..", "..", "..", "build", "libsolace.so")),
]

const _library = Ref{String}("")

function _find_library()
    if haskey(ENV, "SOLACE_LIB")
        path = ENV["SOLACE_LIB"]
        isdir(path) && (path = joinpath(path, "libsolace.so"))
        isfile(path) || error("Solace: ENV[\"SOLACE_LIB\"] = \"$(ENV["SOLACE_LIB"])\" is not " *
                              "libsolace.so or a directory holding it")
        return path
    end
    for path in LIBRARY_FALLBACKS
        isfile(path) && return path
    end
    error("Solace: libsolace.so not found. Set the environment variable SOLACE_LIB to its path " *
          "(e.g. ENV[\"SOLACE_LIB\"] = \"/opt/solace/lib/libsolace.so\" before `using Solace`); " *
          "tried: " * join(LIBRARY_FALLBACKS, ", "))
end

"""
    libsolace()

The path of the Solace library, found on first use (see the module's documentation). The
generated layer calls it in `ccall((:name, libsolace()), ...)`, Julia's documented form for a
library known only at run time.
"""
function libsolace()
    if isempty(_library[])
        path = _find_library()
        Libdl.dlopen(path, Libdl.RTLD_GLOBAL)  # loads it (and fails clearly) once
        _library[] = path
    end
    return _library[]
end

module LibSolace
import ..Solace: libsolace
include(joinpath("gen", "libsolace.jl"))
end

# Status codes and enum values under their C names (Solace.SOLACE_ERR_ARG, ...).
for name in names(LibSolace; all = true)
    if startswith(string(name), "SOLACE_")
        @eval const $name = LibSolace.$name
        @eval export $name
    end
end

const L = LibSolace

# ---- errors ------------------------------------------------------------------------------------

"""
    SolaceError(code, name, message)

A Solace call failed: `code` is the negative C status, `name` its constant name
(e.g. "SOLACE_ERR_ARG") and `message` the thread's `solace_error_message()`.
"""
struct SolaceError <: Exception
    code::Cint
    name::String
    message::String
end

Base.showerror(io::IO, e::SolaceError) = print(io, "SolaceError: ", e.name, ": ", e.message)

"Throws a `SolaceError` unless `status` is `SOLACE_SUCCESS`."
function check(status::Integer)
    status == 0 && return nothing
    name = unsafe_string(L.solace_status_string(Cint(status)))
    throw(SolaceError(Cint(status), name, unsafe_string(L.solace_error_message())))
end

# ---- base --------------------------------------------------------------------------------------

"Initializes MPI and PETSc if the program has not (PETSc options: ENV[\"PETSC_OPTIONS\"])."
initialize() = check(L.solace_initialize(C_NULL, C_NULL))

"Undoes what `initialize()` did (destroy PETSc-backed handles, `Pde`, `Generate`, `Skr`, first)."
finalize_solace() = check(L.solace_finalize())

function is_initialized()
    flag = Ref{Cint}(0)
    check(L.solace_initialized(flag))
    return flag[] != 0
end

"The library's version."
function version()
    v = [Ref{Cint}(0) for _ in 1:3]
    check(L.solace_version(v[1], v[2], v[3]))
    return VersionNumber(v[1][], v[2][], v[3][])
end

options_insert(options::AbstractString) = check(L.solace_options_insert(options))

# ---- handles -----------------------------------------------------------------------------------

# Each handle is a mutable struct holding the C pointer; destroy!(h) releases it (and sets it to
# C_NULL), the finalizer does the same for handles the program forgot. PETSc-backed handles are
# only released by the finalizer while Solace is initialized: destroy! them before
# finalize_solace().
for (T, destroy, petsc) in ((:Store, :solace_store_destroy, false),
                            (:Pde, :solace_pde_destroy, true),
                            (:Generate, :solace_generate_destroy, true),
                            (:Skr, :solace_skr_destroy, true),
                            (:Implicit, :solace_implicit_destroy, false),
                            (:Bcd, :solace_bcd_destroy, false))
    @eval begin
        mutable struct $T
            ptr::Ptr{Cvoid}
            keep::Any  # Julia objects the C handle refers to (a Generate keeps its Pde)
            function $T(ptr::Ptr{Cvoid}, keep = nothing)
                h = new(ptr, keep)
                finalizer(h) do h
                    if h.ptr != C_NULL && (!$petsc || is_initialized())
                        ref = Ref(h.ptr)
                        L.$destroy(ref)
                        h.ptr = C_NULL
                    end
                end
                return h
            end
        end
        function destroy!(h::$T)
            ref = Ref(h.ptr)
            check(L.$destroy(ref))
            h.ptr = ref[]
            return nothing
        end
        Base.unsafe_convert(::Type{Ptr{Cvoid}}, h::$T) = h.ptr
    end
end

function _new_handle(T, create)
    ref = Ref{Ptr{Cvoid}}(C_NULL)
    check(create(ref))
    return T(ref[])
end

_mode(mode::Symbol) = mode === :create ? SOLACE_STORE_CREATE :
                      mode === :overwrite ? SOLACE_STORE_OVERWRITE :
                      mode === :resume ? SOLACE_STORE_RESUME :
                      throw(ArgumentError("mode must be :create, :overwrite or :resume"))

function _sort_method(sort::Symbol)
    sort === :none && return SOLACE_SKR_SORT_NONE
    sort === :greedy && return SOLACE_SKR_SORT_GREEDY
    sort === :hilbert && return SOLACE_SKR_SORT_HILBERT
    sort === :auto && return SOLACE_SKR_SORT_AUTO
    throw(ArgumentError("sort must be :none, :greedy, :hilbert or :auto"))
end

function _buffer_string(f, capacity = 4096)
    buf = zeros(UInt8, capacity)
    check(f(buf, Int64(capacity)))
    return unsafe_string(pointer(buf))
end

# ---- store -------------------------------------------------------------------------------------

"""
    Store(path, family, count, grid; nparams = 0, mode = :create)

Creates (mode `:create`, `:overwrite` or `:resume`) a dataset of `count` samples on `grid`
(a vector of 1 to 3 sizes). `Store(path)` opens one read-only.
"""
function Store(path::AbstractString, family::AbstractString, count::Integer,
               grid::AbstractVector{<:Integer}; nparams::Integer = 0, mode::Symbol = :create)
    g = Vector{Int64}(grid)
    return _new_handle(Store, ref -> L.solace_store_create(path, family, count, Cint(length(g)),
                                                            g, nparams, _mode(mode), ref))
end

Store(path::AbstractString) = _new_handle(Store, ref -> L.solace_store_open(path, ref))

function store_grid(s::Store)
    ndim, grid = Ref{Cint}(0), zeros(Int64, 3)
    check(L.solace_store_get_grid(s, ndim, grid))
    return grid[1:ndim[]]
end

function store_count(s::Store)
    n = Ref{Int64}(0)
    check(L.solace_store_get_count(s, n))
    return n[]
end

function store_nparams(s::Store)
    n = Ref{Int64}(0)
    check(L.solace_store_get_nparams(s, n))
    return n[]
end

store_family(s::Store) = _buffer_string((buf, cap) -> L.solace_store_get_family(s, buf, cap))

set_attribute!(s::Store, name::AbstractString, value::AbstractString) =
    check(L.solace_store_set_attribute_string(s, name, value))
set_attribute!(s::Store, name::AbstractString, value::AbstractFloat) =
    check(L.solace_store_set_attribute_double(s, name, Float64(value)))
set_attribute!(s::Store, name::AbstractString, value::Integer) =
    check(L.solace_store_set_attribute_int(s, name, Int64(value)))

get_attribute_string(s::Store, name::AbstractString) =
    _buffer_string((buf, cap) -> L.solace_store_get_attribute_string(s, name, buf, cap))

function get_attribute_double(s::Store, name::AbstractString)
    v = Ref{Cdouble}(0)
    check(L.solace_store_get_attribute_double(s, name, v))
    return v[]
end

function get_attribute_int(s::Store, name::AbstractString)
    v = Ref{Int64}(0)
    check(L.solace_store_get_attribute_int(s, name, v))
    return v[]
end

function _field_length(s::Store)
    return prod(store_grid(s))
end

function _checked(a, n, what)
    a isa Array{Float64} || throw(ArgumentError("$what must be an Array{Float64} (got $(typeof(a)))"))
    length(a) == n || throw(DimensionMismatch("$what has $(length(a)) values, expected $n"))
    return a
end

write_order!(s::Store, order::AbstractVector{<:Integer}) =
    check(L.solace_store_write_order(s, Vector{Int64}(order)))

function read_order(s::Store)
    order = zeros(Int64, store_count(s))
    check(L.solace_store_read_order(s, order))
    return order
end

"""
    write_sample!(store, index, input, output, params = nothing; iterations, seconds, residual)

Writes sample `index` (0-based); input and output are Float64 arrays of the grid's size
(column-major, x fastest; passed without a copy).
"""
function write_sample!(s::Store, index::Integer, input, output, params = nothing;
                       iterations::Integer = 0, seconds::Real = 0.0, residual::Real = 0.0)
    n = _field_length(s)
    _checked(input, n, "input")
    _checked(output, n, "output")
    p = params === nothing ? C_NULL : _checked(params, store_nparams(s), "params")
    GC.@preserve input output params begin
        check(L.solace_store_write_sample(s, index, input, output,
                                          p === C_NULL ? Ptr{Cdouble}(C_NULL) : pointer(p),
                                          iterations, seconds, residual))
    end
end

"Reads sample `index`: (input, output, params), fields shaped as the grid (nx, ny[, nz])."
function read_sample(s::Store, index::Integer)
    grid = Tuple(store_grid(s))
    input, output = zeros(Float64, grid), zeros(Float64, grid)
    params = zeros(Float64, store_nparams(s))
    GC.@preserve params begin
        check(L.solace_store_read_sample(s, index, input, output,
                                         isempty(params) ? Ptr{Cdouble}(C_NULL) : pointer(params)))
    end
    return input, output, params
end

function read_stats(s::Store, index::Integer)
    its, sec, res = Ref{Int64}(0), Ref{Cdouble}(0), Ref{Cdouble}(0)
    check(L.solace_store_read_stats(s, index, its, sec, res))
    return (iterations = its[], seconds = sec[], residual = res[])
end

function count_done(s::Store)
    n = Ref{Int64}(0)
    check(L.solace_store_count_done(s, n))
    return n[]
end

# ---- pde ---------------------------------------------------------------------------------------

"`Pde(family, n)`: family \"darcy\", \"poisson\", \"helmholtz\" or \"heat\" on an n x n grid."
Pde(family::AbstractString, n::Integer) =
    _new_handle(Pde, ref -> L.solace_pde_create(family, n, ref))

set_real!(p::Pde, name::AbstractString, value::Real) =
    check(L.solace_pde_set_real(p, name, Float64(value)))
set_string!(p::Pde, name::AbstractString, value::AbstractString) =
    check(L.solace_pde_set_string(p, name, value))

function pde_grid(p::Pde)
    ndim, grid = Ref{Cint}(0), zeros(Int64, 3)
    check(L.solace_pde_get_grid(p, ndim, grid))
    return Tuple(grid[1:ndim[]])
end

function pde_nparams(p::Pde)
    n = Ref{Int64}(0)
    check(L.solace_pde_get_nparams(p, n))
    return n[]
end

"`sample(pde, seed, index)`: the random (input, params) of sample `index` (0-based)."
function sample(p::Pde, seed::Integer, index::Integer)
    input = zeros(Float64, pde_grid(p))
    params = zeros(Float64, pde_nparams(p))
    GC.@preserve params begin
        check(L.solace_pde_sample(p, UInt64(seed), index, input,
                                  isempty(params) ? Ptr{Cdouble}(C_NULL) : pointer(params)))
    end
    return input, params
end

"`solve(pde, input, params = Float64[])`: (output, iterations, residual)."
function solve(p::Pde, input, params = Float64[])
    _checked(input, prod(pde_grid(p)), "input")
    output = zeros(Float64, pde_grid(p))
    its, res = Ref{Int64}(0), Ref{Cdouble}(0)
    GC.@preserve params begin
        check(L.solace_pde_solve(p, input,
                                 isempty(params) ? Ptr{Cdouble}(C_NULL) : pointer(params),
                                 output, its, res))
    end
    return output, its[], res[]
end

# ---- generate ----------------------------------------------------------------------------------

"""
    Generate(pde, count, seed; output, mode = :create, solver = :family, sort = :none,
             progress = :auto, compression = 4, warm_start = false)

A dataset-generation job; `solver = :skr` solves with sorted GCRO-DR. The job keeps `pde` alive.
"""
function Generate(p::Pde, count::Integer, seed::Integer; output::AbstractString,
                  mode::Symbol = :create, solver::Symbol = :family, sort::Symbol = :none,
                  progress::Symbol = :auto, compression::Integer = 4, warm_start::Bool = false)
    g = _new_handle(Generate, ref -> L.solace_generate_create(p, count, UInt64(seed), ref))
    g.keep = p
    check(L.solace_generate_set_output(g, output, _mode(mode)))
    solver in (:family, :skr) || throw(ArgumentError("solver must be :family or :skr"))
    check(L.solace_generate_set_solver(g, solver === :skr ? SOLACE_GENERATE_SOLVER_SKR :
                                                          SOLACE_GENERATE_SOLVER_FAMILY))
    check(L.solace_generate_set_sort(g, _sort_method(sort)))
    modes = (auto = SOLACE_PROGRESS_AUTO, redraw = SOLACE_PROGRESS_REDRAW,
             lines = SOLACE_PROGRESS_LINES, silent = SOLACE_PROGRESS_SILENT)
    check(L.solace_generate_set_progress(g, getfield(modes, progress)))
    check(L.solace_generate_set_compression(g, Cint(compression)))
    check(L.solace_generate_set_warm_start(g, Cint(warm_start)))
    return g
end

run!(g::Generate) = check(L.solace_generate_run(g))

function summary_figures(g::Generate)
    solved, skipped = Ref{Int64}(0), Ref{Int64}(0)
    its, sec, wall = Ref{Cdouble}(0), Ref{Cdouble}(0), Ref{Cdouble}(0)
    check(L.solace_generate_get_summary(g, solved, skipped, its, sec, wall))
    return (solved = solved[], skipped = skipped[], mean_iterations = its[],
            mean_seconds = sec[], wall_seconds = wall[])
end

# ---- skr ---------------------------------------------------------------------------------------

"""
    CSR(rowptr, colidx, values)

One n x n sparse system in CSR form, 0-based as in C: rowptr has n+1 entries, colidx and values
rowptr[end] entries each.
"""
struct CSR
    rowptr::Vector{Int64}
    colidx::Vector{Int64}
    values::Vector{Float64}
end

"""
    Skr(; restart = 40, recycle = 20, rtol = 1e-8, max_it = 10000, pc = "none", sort = :auto,
        warm_start = false)

An SKR sequence solver (GCRO-DR with a recycled subspace carried across the sequence).
"""
function Skr(; restart::Integer = 40, recycle::Integer = 20, rtol::Real = 1e-8,
             max_it::Integer = 10000, pc::AbstractString = "none", sort::Symbol = :auto,
             warm_start::Bool = false)
    s = _new_handle(Skr, ref -> L.solace_skr_create(ref))
    check(L.solace_skr_set_restart(s, restart))
    check(L.solace_skr_set_recycle(s, recycle))
    check(L.solace_skr_set_tolerance(s, Float64(rtol), max_it))
    check(L.solace_skr_set_pc(s, pc))
    check(L.solace_skr_set_sort(s, _sort_method(sort)))
    check(L.solace_skr_set_warm_start(s, Cint(warm_start)))
    return s
end

"`set_features!(skr, features)`: features[:, i] are system i-1's (a dim x count matrix)."
set_features!(s::Skr, features::Matrix{Float64}) =
    check(L.solace_skr_set_features(s, features, size(features, 2), size(features, 1)))

"""
    solve_sequence(skr, systems::Vector{CSR}, rhs::Matrix{Float64})

Sorts and solves the systems, rhs[:, i] the right-hand side of systems[i]; returns
(solutions::Matrix, iterations::Vector{Int64}, residuals::Vector{Float64}). No array is copied.
"""
function solve_sequence(s::Skr, systems::Vector{CSR}, rhs::Matrix{Float64})
    n, count = size(rhs)
    length(systems) == count || throw(DimensionMismatch("$(length(systems)) systems, $count rhs"))
    solutions = zeros(Float64, n, count)
    its, res = zeros(Int64, count), zeros(Float64, count)
    GC.@preserve systems begin
        rowptr = [pointer(sys.rowptr) for sys in systems]
        colidx = [pointer(sys.colidx) for sys in systems]
        values = [pointer(sys.values) for sys in systems]
        check(L.solace_skr_solve_sequence(s, count, n, rowptr, colidx, values, rhs, solutions,
                                          its, res))
    end
    return solutions, its, res
end

# The callback form: the producer is a Julia function index -> (CSR, rhs vector). A Julia
# exception in it is caught here, turned into a non-zero status (so it never unwinds through C)
# and rethrown once the C call has returned.
mutable struct _Producer
    f::Any
    n::Int
    current::Any    # the last system handed to C, kept alive until the next call
    error::Any
end

function _system_callback(index::Int64, nnz::Ptr{Int64}, rowptr::Ptr{Ptr{Int64}},
                          colidx::Ptr{Ptr{Int64}}, values::Ptr{Ptr{Cdouble}}, rhs::Ptr{Cdouble},
                          ctx::Ptr{Cvoid})::Cint
    state = unsafe_pointer_to_objref(ctx)::_Producer
    try
        csr, b = state.f(index)
        csr isa CSR || throw(ArgumentError("the producer must return (CSR, rhs)"))
        length(b) == state.n || throw(DimensionMismatch("rhs has $(length(b)) values"))
        state.current = csr
        unsafe_store!(nnz, Int64(length(csr.values)))
        unsafe_store!(rowptr, pointer(csr.rowptr))
        unsafe_store!(colidx, pointer(csr.colidx))
        unsafe_store!(values, pointer(csr.values))
        for i in 1:state.n
            unsafe_store!(rhs, Float64(b[i]), i)
        end
        return Cint(0)
    catch e
        state.error = e
        return SOLACE_ERR_ARG
    end
end

"""
    solve_sequence(producer, skr, count, n)

As `solve_sequence` with system i (0-based) produced by `producer(i)`, which returns
`(csr::CSR, rhs::Vector{Float64})`, when it is its turn. An exception thrown by the producer
stops the solve and is rethrown here.
"""
function solve_sequence(producer, s::Skr, count::Integer, n::Integer)
    fn = @cfunction(_system_callback, Cint, (Int64, Ptr{Int64}, Ptr{Ptr{Int64}}, Ptr{Ptr{Int64}},
                                             Ptr{Ptr{Cdouble}}, Ptr{Cdouble}, Ptr{Cvoid}))
    state = _Producer(producer, n, nothing, nothing)
    solutions = zeros(Float64, n, count)
    its, res = zeros(Int64, count), zeros(Float64, count)
    status = GC.@preserve state begin
        L.solace_skr_solve_sequence_fn(s, count, n, fn, pointer_from_objref(state), solutions,
                                       its, res)
    end
    state.error === nothing || throw(state.error)
    check(status)
    return solutions, its, res
end

function solve_order(s::Skr, count::Integer)
    order = zeros(Int64, count)
    check(L.solace_skr_get_order(s, order))
    return order
end

# ---- implicit differentiation ----------------------------------------------------------------

# The Julia functions behind an Implicit problem; exceptions are kept here and rethrown after
# the C call returns.
mutable struct _ImplicitState
    F::Any
    products::NTuple{4,Any}
    n::Int
    p::Int
    error::Any
end

function _implicit_map(n::Int64, p::Int64, x::Ptr{Cdouble}, theta::Ptr{Cdouble},
                       out::Ptr{Cdouble}, ctx::Ptr{Cvoid})::Cint
    state = unsafe_pointer_to_objref(ctx)::_ImplicitState
    try
        y = state.F(unsafe_wrap(Array, x, n), unsafe_wrap(Array, theta, p))
        length(y) == n || throw(DimensionMismatch("F returned $(length(y)) values, not $n"))
        unsafe_wrap(Array, out, n) .= y
        return Cint(0)
    catch e
        state.error = e
        return SOLACE_ERR_ARG
    end
end

# Product k of (d_x, d_x^T, d_theta, d_theta^T): input and output sizes.
_product_sizes(k, n, p) = (k == 3 ? p : n, k == 4 ? p : n)

function _implicit_product(k::Int, n::Int64, p::Int64, x::Ptr{Cdouble}, theta::Ptr{Cdouble},
                           v::Ptr{Cdouble}, out::Ptr{Cdouble}, ctx::Ptr{Cvoid})::Cint
    state = unsafe_pointer_to_objref(ctx)::_ImplicitState
    try
        nin, nout = _product_sizes(k, n, p)
        y = state.products[k](unsafe_wrap(Array, x, n), unsafe_wrap(Array, theta, p),
                              unsafe_wrap(Array, v, nin))
        length(y) == nout || throw(DimensionMismatch("product $k returned $(length(y)) values"))
        unsafe_wrap(Array, out, nout) .= y
        return Cint(0)
    catch e
        state.error = e
        return SOLACE_ERR_ARG
    end
end

for (k, name) in enumerate((:_implicit_dx, :_implicit_dx_t, :_implicit_dtheta, :_implicit_dtheta_t))
    @eval $name(n::Int64, p::Int64, x::Ptr{Cdouble}, theta::Ptr{Cdouble}, v::Ptr{Cdouble},
                out::Ptr{Cdouble}, ctx::Ptr{Cvoid})::Cint =
        _implicit_product($k, n, p, x, theta, v, out, ctx)
end

"""
    Implicit(F, n, p; kind = :root, dx = nothing, dx_t = nothing, dtheta = nothing,
             dtheta_t = nothing)

A problem F(x, theta) = 0 (`kind = :root`) or x = F(x, theta) (`:fixed_point`) with x of length
n and theta of length p. The products are functions `(x, theta, v) -> vector` of the map's
d_x, d_x^T, d_theta and d_theta^T; a product left out is finite differences.
"""
function Implicit(F, n::Integer, p::Integer; kind::Symbol = :root, dx = nothing,
                  dx_t = nothing, dtheta = nothing, dtheta_t = nothing)
    k = kind === :root ? SOLACE_IMPLICIT_ROOT : kind === :fixed_point ?
        SOLACE_IMPLICIT_FIXED_POINT : throw(ArgumentError("kind must be :root or :fixed_point"))
    state = _ImplicitState(F, (dx, dx_t, dtheta, dtheta_t), n, p, nothing)
    fmap = @cfunction(_implicit_map, Cint, (Int64, Int64, Ptr{Cdouble}, Ptr{Cdouble},
                                            Ptr{Cdouble}, Ptr{Cvoid}))
    fns = (@cfunction(_implicit_dx, Cint, (Int64, Int64, Ptr{Cdouble}, Ptr{Cdouble},
                                            Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cvoid})),
           @cfunction(_implicit_dx_t, Cint, (Int64, Int64, Ptr{Cdouble}, Ptr{Cdouble},
                                              Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cvoid})),
           @cfunction(_implicit_dtheta, Cint, (Int64, Int64, Ptr{Cdouble}, Ptr{Cdouble},
                                                Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cvoid})),
           @cfunction(_implicit_dtheta_t, Cint, (Int64, Int64, Ptr{Cdouble}, Ptr{Cdouble},
                                                  Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cvoid})))
    h = _new_handle(Implicit, ref -> L.solace_implicit_create(n, p, k, fmap,
                                                              pointer_from_objref(state), ref))
    h.keep = state  # keeps the callbacks' context alive as long as the handle
    given(i) = state.products[i] === nothing ? C_NULL : fns[i]
    check(L.solace_implicit_set_products(h, given(1), given(2), given(3), given(4)))
    return h
end

# Runs a derivative call and rethrows an exception raised inside a callback.
function _implicit_call(h::Implicit, call)
    state = h.keep::_ImplicitState
    state.error = nothing
    status = GC.@preserve state call()
    state.error === nothing || throw(state.error)
    check(status)
end

"dx = (dx*/dtheta) t at the solution x for theta."
function implicit_jvp(h::Implicit, x::Vector{Float64}, theta::Vector{Float64},
                      t::Vector{Float64})
    dx = zeros(Float64, length(x))
    _implicit_call(h, () -> L.solace_implicit_jvp(h, x, theta, t, dx))
    return dx
end

"g = (dx*/dtheta)^T v at the solution x for theta."
function implicit_vjp(h::Implicit, x::Vector{Float64}, theta::Vector{Float64},
                      v::Vector{Float64})
    g = zeros(Float64, length(theta))
    _implicit_call(h, () -> L.solace_implicit_vjp(h, x, theta, v, g))
    return g
end

"The n x p Jacobian dx*/dtheta at the solution x for theta."
function implicit_jacobian(h::Implicit, x::Vector{Float64}, theta::Vector{Float64})
    J = zeros(Float64, length(x), length(theta))
    _implicit_call(h, () -> L.solace_implicit_jacobian(h, x, theta, J, length(x)))
    return J
end

"(residual, linear_residual, iterations, fd_products) of the last derivative."
function implicit_report(h::Implicit)
    r, lr, its, fd = Ref(0.0), Ref(0.0), Ref(Int64(0)), Ref(Cint(0))
    check(L.solace_implicit_get_report(h, r, lr, its, fd))
    return (residual = r[], linear_residual = lr[], iterations = its[], fd_products = fd[])
end

# ---- bcd ---------------------------------------------------------------------------------------

const _BCD_CHOICES = Dict(
    :problem => (ls = SOLACE_BCD_LEAST_SQUARES, logistic = SOLACE_BCD_LOGISTIC,
                 softmax = SOLACE_BCD_SOFTMAX),
    :penalty => (none = SOLACE_BCD_PENALTY_NONE, l1 = SOLACE_BCD_PENALTY_L1,
                 l1pos = SOLACE_BCD_PENALTY_L1_POS),
    :partition => (order = SOLACE_BCD_PART_ORDER, sort = SOLACE_BCD_PART_SORT,
                   avg = SOLACE_BCD_PART_AVG, rowsum = SOLACE_BCD_PART_ROWSUM,
                   variable = SOLACE_BCD_PART_VARIABLE),
    :rule => (cyclic = SOLACE_BCD_CYCLIC, random = SOLACE_BCD_RANDOM,
              lipschitz = SOLACE_BCD_LIPSCHITZ, gs = SOLACE_BCD_GS, gsl = SOLACE_BCD_GSL,
              gsd = SOLACE_BCD_GSD, gsq = SOLACE_BCD_GSQ),
    :update => (gradient = SOLACE_BCD_GRADIENT, adaptive = SOLACE_BCD_ADAPTIVE,
                newton = SOLACE_BCD_NEWTON, armijo = SOLACE_BCD_NEWTON_ARMIJO))

function _bcd_choice(kind::Symbol, value::Symbol)
    table = _BCD_CHOICES[kind]
    haskey(table, value) || throw(ArgumentError("$kind must be one of $(keys(table))"))
    return Cint(table[value])
end

"A block coordinate descent solver (see docs/bcd.md); `Bcd()` has the C defaults."
Bcd() = _new_handle(Bcd, ref -> L.solace_bcd_create(ref))

# Sets the rules and runs the solve; returns the solution.
function _bcd_run(b::Bcd, n; penalty, lambda, partition, block, rule, update, iters, tol)
    check(L.solace_bcd_set_penalty(b, _bcd_choice(:penalty, penalty), Float64(lambda)))
    check(L.solace_bcd_set_partition(b, _bcd_choice(:partition, partition), Int64(block)))
    check(L.solace_bcd_set_rule(b, _bcd_choice(:rule, rule)))
    check(L.solace_bcd_set_update(b, _bcd_choice(:update, update)))
    check(L.solace_bcd_set_stop(b, Int64(iters), Float64(tol)))
    check(L.solace_bcd_solve(b))
    x = zeros(Float64, n)
    check(L.solace_bcd_get_solution(b, x))
    return x
end

"""
    bcd_fit(X, y; problem = :ls, classes = 0, penalty = :none, lambda = 0, partition = :order,
            block = 1, rule = :cyclic, update = :gradient, iters = 500, tol = 0)

Fits least squares, logistic (y = +-1) or softmax (y = 0..classes-1) on the dense matrix X by
BCD; returns `(x, b)` with the solver `b` for `bcd_history(b)`. Softmax's x is W[:] (n x k).
"""
function bcd_fit(X::Matrix{Float64}, y::Vector{Float64}; problem::Symbol = :ls,
                 classes::Integer = 0, penalty::Symbol = :none, lambda::Real = 0,
                 partition::Symbol = :order, block::Integer = 1, rule::Symbol = :cyclic,
                 update::Symbol = :gradient, iters::Integer = 500, tol::Real = 0)
    m, n = size(X)
    b = Bcd()
    check(L.solace_bcd_set_dense(b, _bcd_choice(:problem, problem), m, n, X, m, y, classes))
    nvar = Ref{Int64}(0)
    check(L.solace_bcd_get_size(b, nvar))
    x = _bcd_run(b, nvar[]; penalty, lambda, partition, block, rule, update, iters, tol)
    return x, b
end

"`bcd_history(b)`: (objective, gap, seconds) of the last solve, one entry per iteration + 1."
function bcd_history(b::Bcd)
    iters = Ref{Int64}(0)
    check(L.solace_bcd_get_iterations(b, iters))
    f, g, t = zeros(iters[] + 1), zeros(iters[] + 1), zeros(iters[] + 1)
    check(L.solace_bcd_get_history(b, f, g, t))
    return f, g, t
end

# User objectives: value(x), gradient(x, idx) (0-based idx, returns the block gradient) and
# hessvec(x, idx, v) (returns H_bb v). Exceptions are caught and rethrown after the C call.
mutable struct _Objective
    value::Any
    gradient::Any
    hessvec::Any
    error::Any
end

function _bcd_value(n::Int64, x::Ptr{Cdouble}, f::Ptr{Cdouble}, ctx::Ptr{Cvoid})::Cint
    state = unsafe_pointer_to_objref(ctx)::_Objective
    try
        unsafe_store!(f, Float64(state.value(unsafe_wrap(Array, x, n))))
        return Cint(0)
    catch e
        state.error = e
        return SOLACE_ERR_ARG
    end
end

function _bcd_gradient(n::Int64, x::Ptr{Cdouble}, nb::Int64, idx::Ptr{Int64}, g::Ptr{Cdouble},
                       ctx::Ptr{Cvoid})::Cint
    state = unsafe_pointer_to_objref(ctx)::_Objective
    try
        out = state.gradient(unsafe_wrap(Array, x, n), unsafe_wrap(Array, idx, nb))
        unsafe_wrap(Array, g, nb) .= out
        return Cint(0)
    catch e
        state.error = e
        return SOLACE_ERR_ARG
    end
end

function _bcd_hessvec(n::Int64, x::Ptr{Cdouble}, nb::Int64, idx::Ptr{Int64}, v::Ptr{Cdouble},
                      hv::Ptr{Cdouble}, ctx::Ptr{Cvoid})::Cint
    state = unsafe_pointer_to_objref(ctx)::_Objective
    try
        out = state.hessvec(unsafe_wrap(Array, x, n), unsafe_wrap(Array, idx, nb),
                            unsafe_wrap(Array, v, nb))
        unsafe_wrap(Array, hv, nb) .= out
        return Cint(0)
    catch e
        state.error = e
        return SOLACE_ERR_ARG
    end
end

"""
    bcd_fit(value, gradient, lipschitz; hessvec = nothing, keywords of bcd_fit(X, y)...)

Minimises a user objective of length(lipschitz) variables through the callbacks above.
"""
function bcd_fit(value, gradient, lipschitz::Vector{Float64}; hessvec = nothing,
                 penalty::Symbol = :none, lambda::Real = 0, partition::Symbol = :order,
                 block::Integer = 1, rule::Symbol = :cyclic, update::Symbol = :gradient,
                 iters::Integer = 500, tol::Real = 0)
    fv = @cfunction(_bcd_value, Cint, (Int64, Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cvoid}))
    fg = @cfunction(_bcd_gradient, Cint, (Int64, Ptr{Cdouble}, Int64, Ptr{Int64}, Ptr{Cdouble},
                                          Ptr{Cvoid}))
    fh = @cfunction(_bcd_hessvec, Cint, (Int64, Ptr{Cdouble}, Int64, Ptr{Int64}, Ptr{Cdouble},
                                         Ptr{Cdouble}, Ptr{Cvoid}))
    state = _Objective(value, gradient, hessvec, nothing)
    n = length(lipschitz)
    b = Bcd()
    x = GC.@preserve state begin
        check(L.solace_bcd_set_callbacks(b, n, fv, fg, hessvec === nothing ? C_NULL : fh,
                                         lipschitz, pointer_from_objref(state)))
        try
            _bcd_run(b, n; penalty, lambda, partition, block, rule, update, iters, tol)
        catch e
            state.error === nothing || throw(state.error)
            rethrow()
        end
    end
    return x, b
end

# ---- Koopman: a Julia function as EDMD dictionary ----------------------------------------------

mutable struct _Dictionary
    f::Any
    error::Any
end

function _koopman_dictionary(m::Int64, d::Int64, x::Ptr{Cdouble}, ldx::Int64, n::Int64,
                             psi::Ptr{Cdouble}, ldpsi::Int64, ctx::Ptr{Cvoid})::Cint
    state = unsafe_pointer_to_objref(ctx)::_Dictionary
    try
        X = unsafe_wrap(Array, x, (ldx, m))
        P = unsafe_wrap(Array, psi, (ldpsi, n))
        for j in 1:m
            v = state.f(X[1:d, j])
            length(v) == n || error("the dictionary gave $(length(v)) values, not $n")
            P[j, :] .= v
        end
        return Cint(0)
    catch e
        state.error = e
        return SOLACE_ERR_ARG
    end
end

"""
    koopman_eigenvalues(f, n, X, Y; rcond = 1e-12) -> (lambda, residuals)

EDMD eigenvalues (sorted by modulus, largest first) and their ResDMD residuals for the snapshot
pairs X -> Y (d x M matrices, one snapshot per column) with the dictionary of n functions given by
the Julia function `f(x::Vector{Float64})` returning n values. An exception thrown by `f` is
rethrown here, never through C.
"""
function koopman_eigenvalues(f, n::Integer, X::Matrix{Float64}, Y::Matrix{Float64};
                             rcond::Real = 1e-12)
    fn = @cfunction(_koopman_dictionary, Cint, (Int64, Int64, Ptr{Cdouble}, Int64, Int64,
                                                Ptr{Cdouble}, Int64, Ptr{Cvoid}))
    size(X) == size(Y) || throw(ArgumentError("X and Y differ in size"))
    state = _Dictionary(f, nothing)
    d, m = size(X)
    h = Ref{Ptr{Cvoid}}(C_NULL)
    check(L.solace_koopman_create(h))
    try
        GC.@preserve state begin
            check(L.solace_koopman_set_dictionary_fn(h[], n, fn, pointer_from_objref(state)))
            check(L.solace_koopman_set_rcond(h[], rcond))
            check(L.solace_koopman_set_data(h[], d, m, X, d, m, Y, d, C_NULL))
            try
                check(L.solace_koopman_compute(h[]))
            catch e
                state.error === nothing || throw(state.error)
                rethrow()
            end
        end
        r = Ref{Int64}(0)
        check(L.solace_koopman_get_size(h[], C_NULL, r))
        lambda = zeros(2 * r[])
        residuals = zeros(r[])
        check(L.solace_koopman_get_eigenvalues(h[], lambda))
        check(L.solace_koopman_get_residuals(h[], residuals))
        return complex.(lambda[1:2:end], lambda[2:2:end]), residuals
    finally
        L.solace_koopman_destroy(h)
    end
end

end # module
