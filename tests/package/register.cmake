# Registers xgrad's packaging tests; included from tests/CMakeLists.txt. A separate project
# (this folder's CMakeLists.txt, main.cpp and main_nn.cpp) links xgrad in the two supported ways:
#
#   package.install           installs this build tree into <build>/tests/package/prefix
#   package.find_package      builds and runs the consumer against that prefix (needs the above)
#   package.add_subdirectory  builds and runs the consumer with xgrad's sources inside it
#
# Run them alone with `ctest -R package`.
set(xgrad_package_work ${CMAKE_CURRENT_BINARY_DIR}/package)
set(xgrad_package_script ${CMAKE_CURRENT_LIST_DIR}/run_consumer.cmake)
string(REPLACE ";" "|" xgrad_package_prefixes "${CMAKE_PREFIX_PATH}")
set(xgrad_package_args -D WORK_DIR=${xgrad_package_work} -D CONFIG=$<CONFIG> -D "GENERATOR=${CMAKE_GENERATOR}"
                       -D CXX_COMPILER=${CMAKE_CXX_COMPILER} -D "PREFIX_PATH=${xgrad_package_prefixes}")

if(XGRAD_INSTALL)
  add_test(NAME package.install
           COMMAND ${CMAKE_COMMAND} ${xgrad_package_args} -D MODE=install -D XGRAD_BINARY_DIR=${PROJECT_BINARY_DIR}
                   -P ${xgrad_package_script})
  add_test(NAME package.find_package
           COMMAND ${CMAKE_COMMAND} ${xgrad_package_args} -D MODE=find_package -P ${xgrad_package_script})
  set_tests_properties(package.install PROPERTIES FIXTURES_SETUP xgrad_package_installed)
  set_tests_properties(package.find_package PROPERTIES FIXTURES_REQUIRED xgrad_package_installed)
endif()

add_test(NAME package.add_subdirectory
         COMMAND ${CMAKE_COMMAND} ${xgrad_package_args} -D MODE=add_subdirectory -D XGRAD_SOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -P ${xgrad_package_script})

# The consumer builds compile xgrad's headers (and, for add_subdirectory, the whole library):
# slow, so they take one lock and never compete with each other for the cores.
get_property(xgrad_package_tests DIRECTORY PROPERTY TESTS)
list(FILTER xgrad_package_tests INCLUDE REGEX "^package\\.")
set_tests_properties(${xgrad_package_tests} PROPERTIES LABELS package RESOURCE_LOCK xgrad_package TIMEOUT 1200)
