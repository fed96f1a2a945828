"""The Django side: the app holding the tables (`models`) and the repository over them."""
