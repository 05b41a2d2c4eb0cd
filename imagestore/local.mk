## imagestore
