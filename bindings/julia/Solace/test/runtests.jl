# Solace.jl tests: the cases of the Fortran tests (tests/bindings/t-*.f90). Needs a built
# libsolace: SOLACE_LIB=/path/to/build/libsolace.so julia --project=bindings/julia/Solace -e
# 'using Pkg; Pkg.test()'. With SOLACE_BIN (the build's bin/ directory) set, the Darcy dataset is
# also compared with one written by the C driver solace-generate.
using Test
using LinearAlgebra
using Solace

const S = Solace

@testset "Solace.jl" begin
    S.initialize()
    @test S.version() == VersionNumber(S.SOLACE_VERSION_MAJOR, S.SOLACE_VERSION_MINOR,
                                       S.SOLACE_VERSION_PATCH)
    dir = mktempdir()

    # Store round trip (tests/store/t-roundtrip.c's dataset); tolerance 0.
    @testset "store round trip" begin
        count, nx, ny = 7, 5, 3
        reference(i) = ([i + ix / 8 + iy / 64 for ix in 0:nx-1, iy in 0:ny-1],
                        [100i - ix * 0.25 + iy * 0.5 for ix in 0:nx-1, iy in 0:ny-1],
                        [i / 4, -float(i)])
        order = [(3k + 1) % count for k in 0:count-1]
        path = joinpath(dir, "store.h5")
        st = Store(path, "darcy", count, [nx, ny]; nparams = 2, mode = :overwrite)
        set_attribute!(st, "ksp_type", "cg")
        set_attribute!(st, "rtol", 1e-8)
        set_attribute!(st, "seed", 42)
        S.write_order!(st, order)
        for i in order
            a, u, p = reference(i)
            write_sample!(st, i, a, u, p; iterations = 10 + i, seconds = 0.125i,
                          residual = 2.0^(-(20 + i)))
        end
        a, u, p = reference(0)
        err = try
            write_sample!(st, 0, a, u, p)
            nothing
        catch e
            e
        end
        @test err isa SolaceError && err.code == S.SOLACE_ERR_STATE && !isempty(err.message)
        destroy!(st)
        @test st.ptr == C_NULL
        st = Store(path)
        @test store_count(st) == count && store_grid(st) == [nx, ny] && store_family(st) == "darcy"
        @test get_attribute_string(st, "ksp_type") == "cg"
        @test get_attribute_double(st, "rtol") == 1e-8 && get_attribute_int(st, "seed") == 42
        @test S.read_order(st) == order && S.count_done(st) == count
        for i in 0:count-1
            @test read_sample(st, i) == reference(i)
            @test read_stats(st, i) == (iterations = 10 + i, seconds = 0.125i,
                                        residual = 2.0^(-(20 + i)))
        end
        destroy!(st)
        e = try
            Store(joinpath(dir, "no-such-dir", "missing.h5"))
        catch e
            e
        end
        @test e isa SolaceError && occursin("missing.h5", e.message)
    end

    # SKR on 8 convection-diffusion systems (tests/bindings/t-skr.f90); reference: LinearAlgebra's
    # dense solve; relative error <= 1e-7 with rtol 1e-10, residuals <= rtol.
    @testset "skr sequence" begin
        grid, count, rtol = 10, 8, 1e-10
        n = grid^2
        function build(p)
            h, speed = 1 / (grid + 1), 20 * (1 + p)
            wx, wy = speed * cos(p * pi / 3), speed * sin(p * pi / 3)
            rowptr, colidx, values, b = Int64[0], Int64[], Float64[], zeros(n)
            di, dj = (0, -1, 1, 0, 0), (-1, 0, 0, 0, 1)
            w = (-1 - wy * h / 2, -1 - wx * h / 2, -1 + wx * h / 2, 4.0, -1 + wy * h / 2)
            for j in 0:grid-1, i in 0:grid-1
                for t in 1:5
                    ii, jj = i + di[t], j + dj[t]
                    (ii < 0 || jj < 0 || ii >= grid || jj >= grid) && continue
                    push!(colidx, jj * grid + ii)
                    push!(values, w[t])
                end
                push!(rowptr, length(values))
                x, y = (i + 1) * h, (j + 1) * h
                b[j*grid+i+1] = h^2 * ((1 + p) * sin(pi * x) * sin(2pi * y) + x)
            end
            return CSR(rowptr, colidx, values), b
        end
        dense(c::CSR) = (A = zeros(n, n);
                         for r in 1:n, e in c.rowptr[r]+1:c.rowptr[r+1]
                             A[r, c.colidx[e]+1] += c.values[e]
                         end; A)
        params = [0.0; reverse(collect(1:count-1)) ./ (count - 1)]
        built = [build(p) for p in params]
        systems = [s for (s, _) in built]
        rhs = reduce(hcat, [b for (_, b) in built])
        reference = reduce(hcat, [dense(s) \ b for (s, b) in built])
        relerr(x) = maximum(norm(x[:, i] - reference[:, i]) / norm(reference[:, i]) for i in 1:count)
        skr = Skr(rtol = rtol, max_it = 20000)
        x, its, res = solve_sequence(skr, systems, rhs)
        @test relerr(x) <= 1e-7 && maximum(res) <= rtol && all(its .> 0)
        order = solve_order(skr, count)
        @test order[1] == 0 && sort(order) == collect(0:count-1)
        # the callback form, given order, then sorted by features
        calls = Ref(0)
        producer(i) = (calls[] += 1; built[i+1])
        x, its, res = solve_sequence(producer, skr, count, n)
        @test relerr(x) <= 1e-7 && maximum(res) <= rtol && calls[] == count
        @test solve_order(skr, count) == collect(0:count-1)
        set_features!(skr, reshape(params, 1, count))
        x, its, res = solve_sequence(producer, skr, count, n)
        @test relerr(x) <= 1e-7 && issorted(params[solve_order(skr, count).+1])
        # a Julia exception in the producer stops the solve and is rethrown, not unwound
        # through C
        @test_throws ErrorException solve_sequence(i -> i == 3 ? error("boom") : built[i+1],
                                                   skr, count, n)
        destroy!(skr)
    end

    # Darcy dataset with SKR (tests/bindings/t-darcy.f90): sample 3 equals a direct draw and
    # solve within 1e-5 relative; with SOLACE_BIN, the same samples as solace-generate's.
    @testset "darcy dataset" begin
        path = joinpath(dir, "darcy.h5")
        pde = Pde("darcy", 16)
        gen = Generate(pde, 6, 7; output = path, mode = :overwrite, solver = :skr, sort = :auto,
                       progress = :silent)
        run!(gen)
        @test summary_figures(gen).solved == 6
        destroy!(gen)
        st = Store(path)
        a3, u3, _ = read_sample(st, 3)
        input, _ = sample(pde, 7, 3)
        output, its, res = solve(pde, input)
        @test input == a3
        @test maximum(abs.(output - u3)) / maximum(abs.(output)) <= 1e-5
        if haskey(ENV, "SOLACE_BIN")
            cpath = joinpath(dir, "c.h5")
            run(`$(ENV["SOLACE_BIN"])/solace-generate -family darcy -n 16 -count 6 -seed 7
                 -solver skr -quiet -o $cpath`)
            c = Store(cpath)
            for i in 0:5
                ci, co, _ = read_sample(c, i)
                fi, fo, _ = read_sample(st, i)
                @test ci == fi && maximum(abs.(co - fo)) <= 1e-12 * maximum(abs.(co))
            end
            destroy!(c)
        end
        destroy!(st)
        destroy!(pde)
    end
    S.finalize_solace()
end
