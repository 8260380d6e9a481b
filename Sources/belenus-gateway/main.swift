print("Status: 503")
