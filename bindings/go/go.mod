module aionl

go 1.19
