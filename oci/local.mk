## oci
