## nested
