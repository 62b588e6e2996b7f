"""HTTP clients for the two services SlipStation talks to: Shippo and PrintNode."""
