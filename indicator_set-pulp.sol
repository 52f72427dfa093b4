Optimal - objective value 1.00000000
      0 C0000000               1                       0
      1 C0000001               1                       0
      0 X0000000               0                       1
      1 X0000001               1                       1
