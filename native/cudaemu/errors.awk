# errors.awk — reads cuda.h and writes the CUresult table of the emulated driver (errors.inc):
#   { code, "CUDA_ERROR_NAME", "first sentence of cuda.h's comment" },
# so cuGetErrorName/cuGetErrorString give the names and texts of the toolkit the build used.
/typedef enum cudaError_enum/ { inside = 1; next }
inside && /} CUresult;/ { inside = 0 }
!inside { next }
/\/\*\*/ { comment = ""; collecting = 1; next }
collecting && /\*\// { collecting = 0; next }
collecting {
    line = $0
    sub(/^[ \t]*\*[ \t]?/, "", line)
    gsub(/::/, "", line)
    gsub(/\\[a-z]+ /, "", line)  # doxygen commands: \p, \deprecated ...
    comment = comment (comment == "" ? "" : " ") line
    next
}
/^[ \t]*CUDA_[A-Z0-9_]+[ \t]*=[ \t]*[0-9]+/ {
    name = $1
    value = $3
    sub(/,.*/, "", value)
    text = comment
    # the first sentence (a period followed by a space or the end)
    if (match(text, /\.( |$)/)) text = substr(text, 1, RSTART)
    gsub(/\\/, "", text)
    gsub(/"/, "\\\"", text)
    printf "    {%s, \"%s\", \"%s\"},\n", value, name, text
    comment = ""
}
