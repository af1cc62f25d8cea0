# Drives one step of xgrad's packaging tests; run with `cmake -D MODE=… -P run_consumer.cmake`.
#
#   MODE=install           install xgrad's build tree XGRAD_BINARY_DIR into WORK_DIR/prefix
#   MODE=find_package      configure, build and run the consumer against WORK_DIR/prefix
#   MODE=add_subdirectory  configure, build and run the consumer with xgrad's source tree inside
#
# Other inputs: XGRAD_SOURCE_DIR, CONFIG (the build configuration), GENERATOR, CXX_COMPILER,
# PREFIX_PATH (extra prefixes, `|`-separated, where xgrad's own dependencies were found).
cmake_minimum_required(VERSION 3.25)

foreach(var MODE WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer.cmake: -D ${var}=… is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()
set(prefix ${WORK_DIR}/prefix)
string(REPLACE "|" ";" extra_prefixes "${PREFIX_PATH}")

# Runs a command, echoing it; stops the test with `what` in the message if it fails.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status COMMAND_ECHO STDOUT)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "package test: ${what} failed (${status})")
  endif()
endfunction()

# Configures the consumer in `build_dir` with extra cache arguments, builds it and runs it.
function(build_and_run_consumer build_dir)
  set(configure_args -S ${CMAKE_CURRENT_LIST_DIR} -B ${build_dir} -DCMAKE_BUILD_TYPE=${CONFIG}
                     -DCMAKE_COMPILE_WARNING_AS_ERROR=ON -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  if(GENERATOR)
    list(APPEND configure_args -G ${GENERATOR})
  endif()
  if(CXX_COMPILER)
    list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
  endif()
  run("configuring the consumer" ${CMAKE_COMMAND} ${configure_args} ${ARGN})
  run("building the consumer" ${CMAKE_COMMAND} --build ${build_dir} --config ${CONFIG} --parallel 2)
  foreach(name consumer consumer_nn)
    set(program "")
    foreach(candidate ${build_dir}/${name} ${build_dir}/${name}.exe ${build_dir}/${CONFIG}/${name}.exe)
      if(EXISTS ${candidate} AND NOT program)
        set(program ${candidate})
      endif()
    endforeach()
    if(NOT program)
      message(FATAL_ERROR "package test: the program ${name} was not built in ${build_dir}")
    endif()
    run("running ${name}" ${program})
  endforeach()
endfunction()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE ${prefix})  # a stale install must not hide a missing file
  run("installing xgrad" ${CMAKE_COMMAND} --install ${XGRAD_BINARY_DIR} --prefix ${prefix} --config ${CONFIG})
  if(NOT EXISTS ${prefix}/lib/cmake/xgrad/xgradConfig.cmake AND NOT EXISTS ${prefix}/lib64/cmake/xgrad/xgradConfig.cmake)
    message(FATAL_ERROR "package test: no xgradConfig.cmake under ${prefix}")
  endif()
elseif(MODE STREQUAL "find_package")
  set(build_dir ${WORK_DIR}/find_package)
  file(REMOVE_RECURSE ${build_dir})  # nothing cached from an earlier run
  list(PREPEND extra_prefixes ${prefix})
  string(REPLACE ";" "\\;" prefixes "${extra_prefixes}")
  build_and_run_consumer(${build_dir} "-DCMAKE_PREFIX_PATH=${prefixes}")
  # The package found must be the one just installed, not one elsewhere on the machine.
  file(STRINGS ${build_dir}/CMakeCache.txt found REGEX "^xgrad_DIR:")
  string(FIND "${found}" "${prefix}/" at)
  if(NOT at GREATER -1)
    message(FATAL_ERROR "package test: found the wrong xgrad package: ${found}")
  endif()
elseif(MODE STREQUAL "add_subdirectory")
  # The build directory is kept between runs: the library is rebuilt only when it changed.
  string(REPLACE ";" "\\;" prefixes "${extra_prefixes}")
  build_and_run_consumer(${WORK_DIR}/add_subdirectory -DXGRAD_SOURCE_DIR=${XGRAD_SOURCE_DIR}
                         "-DCMAKE_PREFIX_PATH=${prefixes}")
else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()
