# Writes the text of INPUT into OUTPUT as a C++ raw string literal, so that a
# data file of the source tree (the standard block library) is compiled into
# the frontend and cnnc needs no file at run time.
file(READ "${INPUT}" text)
file(WRITE "${OUTPUT}.tmp" "R\"cnnc_embed(${text})cnnc_embed\"\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
