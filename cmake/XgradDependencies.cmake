# Every dependency comes from Debian's packages (see .ci/setup). xtensor is header-only; BLAS
# (OpenBLAS) does the matrix products.
find_package(xtl REQUIRED)
find_package(xsimd REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(Threads REQUIRED)
