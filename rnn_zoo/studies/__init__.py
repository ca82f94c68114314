"""Studies of the cells: backpropagation through time by hand (``bptt``), how gradients flow
(``gradient_flow``), the long-range agreement task (``agreement``) and the gates at work
(``gates``)."""
