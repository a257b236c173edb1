module trustgraph.test/goverify

go 1.22
