# Warnings are private to xgrad's own targets: a consumer's flags are its own business.
function(xgrad_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()
