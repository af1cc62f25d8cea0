# Registers the test build's reliability checks; included from tests/CMakeLists.txt. Both are on
# in the `test` preset and described in docs/testing.md.
#
#   checks.sanitized              (XGRAD_CHECK_SANITIZED) configures a second build tree of this
#                                 source with XGRAD_SANITIZE=ON (ASan + UBSan), builds it and runs
#                                 every CTest test registered there: all doctest binaries, the
#                                 examples' smoke tests, whatever is added later. Packaging tests
#                                 are left out (they rebuild the library unsanitized).
#   valgrind.example.<program>    (XGRAD_CHECK_VALGRIND) every example program under memcheck
#   valgrind.xgrad_tests.<file>   (XGRAD_CHECK_VALGRIND) the core test binary under memcheck, one
#                                 test per source file that holds test cases
#
# Run them alone with `ctest -L checks` (or -L sanitized, -L valgrind).

# ---- the sanitized tree ------------------------------------------------------------------------
if(XGRAD_CHECK_SANITIZED)
  if(XGRAD_SANITIZE)
    message(FATAL_ERROR "XGRAD_CHECK_SANITIZED builds a sanitized tree of its own: turn it off when XGRAD_SANITIZE is on")
  endif()
  string(REPLACE ";" "|" xgrad_checks_prefixes "${CMAKE_PREFIX_PATH}")
  set(xgrad_checks_werror OFF)
  if(CMAKE_COMPILE_WARNING_AS_ERROR)
    set(xgrad_checks_werror ON)
  endif()
  add_test(NAME checks.sanitized
           COMMAND ${CMAKE_COMMAND}
                   -D SOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -D BINARY_DIR=${CMAKE_CURRENT_BINARY_DIR}/checks/sanitized
                   -D "GENERATOR=${CMAKE_GENERATOR}"
                   -D CXX_COMPILER=${CMAKE_CXX_COMPILER}
                   -D "PREFIX_PATH=${xgrad_checks_prefixes}"
                   -D WARNINGS_AS_ERRORS=${xgrad_checks_werror}
                   -P ${CMAKE_CURRENT_LIST_DIR}/run_sanitized.cmake)
  # The sanitizers' runtime options are compiled into the programs (cmake/XgradSanitize.cmake).
  set_tests_properties(checks.sanitized PROPERTIES
    LABELS "checks;sanitized"
    # It builds the whole project again on both cores: nothing else runs beside it.
    RUN_SERIAL TRUE
    TIMEOUT 2400)
endif()

# ---- valgrind memcheck -------------------------------------------------------------------------
if(XGRAD_CHECK_VALGRIND)
  if(XGRAD_SANITIZE)
    message(FATAL_ERROR "XGRAD_CHECK_VALGRIND cannot run sanitized programs: turn it off when XGRAD_SANITIZE is on")
  endif()
  find_program(XGRAD_VALGRIND valgrind REQUIRED)
  # Any memory error, and any block still allocated at exit (lost or reachable), fails the test:
  # today every checked program frees everything. docs/testing.md explains each option.
  set(xgrad_memcheck ${XGRAD_VALGRIND} --tool=memcheck --error-exitcode=1 --leak-check=full
                     --show-leak-kinds=all --errors-for-leak-kinds=all --num-callers=40
                     --suppressions=${CMAKE_CURRENT_LIST_DIR}/valgrind.supp)
  # BLAS on the calling thread: the same code paths on every machine, and no idle OpenBLAS
  # workers for valgrind (which runs one thread at a time) to schedule. The deep-graph tests
  # build chains of 200,000 nodes instead of 1,000,000: memcheck is about 40 times slower, and
  # depth adds no code path (stack safety at full depth is checked natively and sanitized).
  # XGRAD_BUFFER_CACHE=0: every Tensor buffer and graph node is freed at once instead of kept
  # for reuse (xgrad/allocator.hpp), so that memcheck sees a use after free of any of them.
  set(xgrad_memcheck_env OPENBLAS_NUM_THREADS=1 XGRAD_DEEP_CHAIN_NODES=200000 XGRAD_BUFFER_CACHE=0)
  set(xgrad_memcheck_work ${CMAKE_CURRENT_BINARY_DIR}/checks/valgrind)

  # A doctest binary under memcheck, one test per source file that holds test cases (doctest's
  # --source-file filter): the pieces run side by side and a failure names its file.
  function(xgrad_memcheck_doctest target)
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    foreach(source ${sources})
      if(NOT IS_ABSOLUTE ${source})
        set(source ${source_dir}/${source})
      endif()
      if(NOT source MATCHES "\\.cpp$" OR NOT EXISTS ${source})
        continue()
      endif()
      file(STRINGS ${source} cases REGEX "^[ \t]*(TEST_CASE|SCENARIO|TEST_CASE_FIXTURE|TEST_CASE_TEMPLATE)[ \t]*\\(")
      if(cases)
        get_filename_component(name ${source} NAME_WE)
        get_filename_component(file ${source} NAME)
        add_test(NAME valgrind.${target}.${name}
                 COMMAND ${xgrad_memcheck} $<TARGET_FILE:${target}> --source-file=*/${file} --no-version)
      endif()
    endforeach()
  endfunction()

  # Every executable defined under a directory and its subdirectories.
  function(xgrad_memcheck_executables dir out)
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    set(found)
    foreach(t ${targets})
      get_target_property(type ${t} TYPE)
      if(type STREQUAL "EXECUTABLE")
        list(APPEND found ${t})
      endif()
    endforeach()
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    foreach(sub ${subdirs})
      xgrad_memcheck_executables(${sub} sub_found)
      list(APPEND found ${sub_found})
    endforeach()
    set(${out} ${found} PARENT_SCOPE)
  endfunction()

  # Every example program, found as the executables defined under examples/, so a new example is
  # checked without being listed here; each runs in a folder of its own, where it may write.
  # Arguments for the ones whose defaults do more than a check needs:
  set(xgrad_memcheck_args_lab1 --data xor --epochs 200 --out lab-output)
  if(XGRAD_BUILD_EXAMPLES)
    xgrad_memcheck_executables(${PROJECT_SOURCE_DIR}/examples xgrad_memcheck_examples)
    foreach(example ${xgrad_memcheck_examples})
      file(MAKE_DIRECTORY ${xgrad_memcheck_work}/${example})
      add_test(NAME valgrind.example.${example}
               COMMAND ${xgrad_memcheck} $<TARGET_FILE:${example}> ${xgrad_memcheck_args_${example}}
               WORKING_DIRECTORY ${xgrad_memcheck_work}/${example})
    endforeach()
  endif()

  # The core test binary.
  xgrad_memcheck_doctest(xgrad_tests)
  # The whole binary once more with reuse on: every block the cache and the per-thread lists
  # hand out again must be used within its size, and every block they keep must still be freed
  # when its thread ends and at exit.
  add_test(NAME valgrind.xgrad_tests.reuse COMMAND ${xgrad_memcheck} $<TARGET_FILE:xgrad_tests> --no-version)

  get_property(xgrad_memcheck_tests DIRECTORY PROPERTY TESTS)
  list(FILTER xgrad_memcheck_tests INCLUDE REGEX "^valgrind\\.")
  set_tests_properties(${xgrad_memcheck_tests} PROPERTIES
    LABELS "checks;valgrind" ENVIRONMENT "${xgrad_memcheck_env}" TIMEOUT 900
    # Belt and braces beside the exit code: a report, a block left at exit, or a filter that
    # matched no test case.
    FAIL_REGULAR_EXPRESSION "ERROR SUMMARY: [1-9]|in use at exit: [1-9]|test cases: +0 [|]")
  list(FILTER xgrad_memcheck_env EXCLUDE REGEX "^XGRAD_BUFFER_CACHE=")
  set_tests_properties(valgrind.xgrad_tests.reuse PROPERTIES ENVIRONMENT "${xgrad_memcheck_env}")
endif()
